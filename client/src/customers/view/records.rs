//! What the customer view's follow-up, certificate and personal tabs share: a customer's
//! records of one kind, listed, and the form adding one (its draft, its save, the
//! complaints of a failed save under their fields).

use crate::backend::{Promise, Requested};
use crate::widgets::FieldErrors;

/// A customer's records `T`, and the draft `D` of a new one.
#[derive(Default)]
pub(super) struct Records<T, D> {
    list: Requested<Vec<T>>,
    /// The new record as typed.
    pub draft: D,
    save: Requested<T>,
    /// The last failed save's complaints, under their fields until edited.
    pub errors: FieldErrors,
}

impl<T: Clone + Send + 'static, D> Records<T, D> {
    /// No records yet, and `draft` to type in.
    pub fn new(draft: D) -> Self {
        Records {
            list: Requested::NotRequested,
            draft,
            save: Requested::NotRequested,
            errors: FieldErrors::default(),
        }
    }

    /// Loads the records.
    pub fn reload(&mut self, records: Promise<Vec<T>>) {
        self.list.request(records);
    }

    /// The records shown.
    pub fn rows(&self) -> Vec<T> {
        self.list.value().cloned().unwrap_or_default()
    }

    /// Polls the calls; when a record was just saved, the draft becomes `next(&draft)`
    /// (what stays chosen, the rest cleared) and true comes back (the list and the
    /// customer are to be loaded again).
    pub fn poll(&mut self, next: impl FnOnce(&D) -> D) -> bool {
        self.list.poll();
        let saved = self.errors.poll(&mut self.save);
        if saved {
            self.draft = next(&self.draft);
        }
        saved
    }

    /// Whether a new save may start (none is on its way).
    pub fn ready(&self) -> bool {
        !self.save.is_pending()
    }

    /// Saves the new record.
    pub fn save(&mut self, saved: Promise<T>) {
        self.save.request(saved);
    }
}
