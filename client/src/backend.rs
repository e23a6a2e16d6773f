//! The client's async side: a tokio runtime on a background thread runs every gRPC call;
//! the UI thread never blocks. A call's result comes back through a [`Promise`], and the
//! finished call asks egui to repaint.

use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::api::ApiError;

/// Runs futures on a background runtime and wakes the UI when they finish.
#[derive(Clone)]
pub struct Backend {
    runtime: Arc<tokio::runtime::Runtime>,
    ctx: egui::Context,
}

impl Backend {
    /// A runtime with two worker threads, repainting `ctx` when work finishes.
    pub fn new(ctx: egui::Context) -> Backend {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("pharmacrm-net")
            .enable_all()
            .build()
            .expect("start the network runtime");
        Backend {
            runtime: Arc::new(runtime),
            ctx,
        }
    }

    /// Starts `future`; its result is in the returned promise when done.
    pub fn spawn<T, F>(&self, future: F) -> Promise<T>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, ApiError>> + Send + 'static,
    {
        let slot = Arc::new(Mutex::new(None));
        let result = slot.clone();
        let ctx = self.ctx.clone();
        self.runtime.spawn(async move {
            let value = future.await;
            *result.lock().expect("promise lock") = Some(value);
            ctx.request_repaint();
        });
        Promise {
            take: Box::new(move || slot.lock().expect("promise lock").take()),
        }
    }
}

/// The result of a call, once it is there.
pub struct Promise<T> {
    take: Box<dyn FnMut() -> Option<Result<T, ApiError>> + Send>,
}

impl<T: Send + 'static> Promise<T> {
    /// A call already answered with `result` (tests).
    #[cfg(test)]
    pub(crate) fn answered(result: Result<T, ApiError>) -> Promise<T> {
        let mut result = Some(result);
        Promise {
            take: Box::new(move || result.take()),
        }
    }

    /// Takes the result if the call has finished.
    pub fn try_take(&mut self) -> Option<Result<T, ApiError>> {
        (self.take)()
    }

    /// The same call, its value passed through `f` (e.g. one field of a response).
    pub fn map<U>(mut self, f: impl FnOnce(T) -> U + Send + 'static) -> Promise<U> {
        let mut f = Some(f);
        Promise {
            take: Box::new(move || {
                let result = self.try_take()?;
                let f = f.take().expect("a promise is taken once");
                Some(result.map(f))
            }),
        }
    }

    /// The same call, its error passed through `f` (e.g. fields renamed for the form).
    pub fn map_err(mut self, f: impl Fn(ApiError) -> ApiError + Send + 'static) -> Promise<T> {
        Promise {
            take: Box::new(move || Some(self.try_take()?.map_err(&f))),
        }
    }
}

/// A value fetched from the server, as a state rather than a flag.
#[derive(Default)]
pub enum Requested<T> {
    /// Not asked for yet.
    #[default]
    NotRequested,
    /// To be asked for again (the user reloaded, or something it shows changed); the
    /// value is shown meanwhile so that a list does not empty and fill again.
    Stale(T),
    /// Asked for; `previous` is shown meanwhile so tables do not flicker.
    Pending {
        /// The value of the last successful call.
        previous: Option<T>,
        /// The call in flight.
        promise: Promise<T>,
    },
    /// The last call's value.
    Done(T),
    /// The last call failed; the previous value is kept to show under the error.
    Failed {
        /// Why.
        error: ApiError,
        /// The value of the last successful call.
        previous: Option<T>,
    },
}

impl<T> Requested<T> {
    /// Starts a new call, keeping what is shown now.
    pub fn request(&mut self, promise: Promise<T>) {
        let previous = self.take_value();
        *self = Requested::Pending { previous, promise };
    }

    fn take_value(&mut self) -> Option<T> {
        match std::mem::take(self) {
            Requested::NotRequested => None,
            Requested::Pending { previous, .. } | Requested::Failed { previous, .. } => previous,
            Requested::Done(value) | Requested::Stale(value) => Some(value),
        }
    }

    /// The value to show: the current one, or the previous while pending or failed.
    pub fn value(&self) -> Option<&T> {
        match self {
            Requested::NotRequested => None,
            Requested::Pending { previous, .. } | Requested::Failed { previous, .. } => {
                previous.as_ref()
            }
            Requested::Done(value) | Requested::Stale(value) => Some(value),
        }
    }

    /// Marks the value to be asked for again ([`Requested::is_not_requested`] is true),
    /// showing it until the new answer replaces it. A call in flight is dropped: its
    /// answer may predate what made the value stale.
    pub fn invalidate(&mut self) {
        *self = match self.take_value() {
            Some(value) => Requested::Stale(value),
            None => Requested::NotRequested,
        };
    }

    /// Drops the call in flight, if any (its answer is about input that no longer
    /// exists), keeping the value shown.
    pub fn abandon(&mut self) {
        if self.is_pending() {
            *self = match self.take_value() {
                Some(value) => Requested::Done(value),
                None => Requested::NotRequested,
            };
        }
    }

    /// The value shown, to correct in place (a row the user removed since it came).
    pub fn value_mut(&mut self) -> Option<&mut T> {
        match self {
            Requested::NotRequested => None,
            Requested::Pending { previous, .. } | Requested::Failed { previous, .. } => {
                previous.as_mut()
            }
            Requested::Done(value) | Requested::Stale(value) => Some(value),
        }
    }

    /// Whether a call is in flight.
    pub fn is_pending(&self) -> bool {
        matches!(self, Requested::Pending { .. })
    }

    /// The last call's error, if it failed.
    pub fn error(&self) -> Option<&ApiError> {
        match self {
            Requested::Failed { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Whether it is to be asked for: nothing asked yet, or the value shown is stale.
    pub fn is_not_requested(&self) -> bool {
        matches!(self, Requested::NotRequested | Requested::Stale(_))
    }
}

impl<T: Send + 'static> Requested<T> {
    /// Moves a finished call into `Done` or `Failed`. Returns the error when it just failed,
    /// and whether it just finished.
    pub fn poll(&mut self) -> Polled<'_> {
        if let Requested::Pending { promise, .. } = self
            && let Some(result) = promise.try_take()
        {
            let previous = self.take_value();
            return match result {
                Ok(value) => {
                    *self = Requested::Done(value);
                    Polled::JustDone
                }
                Err(error) => {
                    *self = Requested::Failed { error, previous };
                    match self {
                        Requested::Failed { error, .. } => Polled::JustFailed(error),
                        _ => unreachable!(),
                    }
                }
            };
        }
        Polled::Unchanged
    }
}

/// What [`Requested::poll`] found.
pub enum Polled<'a> {
    /// Nothing new.
    Unchanged,
    /// The call finished with a value.
    JustDone,
    /// The call failed.
    JustFailed(&'a ApiError),
}

/// A list the server searches and pages by offset (orders, invoices, payments, arrears):
/// asked again when its key (the filters as sent) or its page changes; other filters start
/// again at the first page. The previous answer shows while the next is on its way.
pub struct OffsetPaged<K, R> {
    /// The first row of the page shown ([`crate::widgets::pager`] moves it).
    pub offset: u32,
    /// The answer shown.
    pub result: Requested<R>,
    /// What was asked last, and at which offset.
    sent: Option<(K, u32)>,
}

impl<K, R> Default for OffsetPaged<K, R> {
    fn default() -> Self {
        OffsetPaged {
            offset: 0,
            result: Requested::NotRequested,
            sent: None,
        }
    }
}

impl<K: Clone + PartialEq, R: Send + 'static> OffsetPaged<K, R> {
    /// The answer to the filters shown: the last one, unless the last call was refused
    /// for its filters (INVALID_ARGUMENT, an end date before the start): the rows of the
    /// filters before would pass for the answer to these.
    pub fn answer(&self) -> Option<&R> {
        match self.result.error() {
            Some(e) if e.code == Some(tonic::Code::InvalidArgument) => None,
            _ => self.result.value(),
        }
    }

    /// Asks again at the next [`OffsetPaged::poll`] (after a save).
    pub fn refresh(&mut self) {
        self.sent = None;
    }

    /// Takes in a finished call; then, unless a call is in flight, asks
    /// `ask(key, page of page_size rows)` when `key` or the page differs from what was
    /// asked last (from the first page when `key` does).
    pub fn poll(
        &mut self,
        key: K,
        page_size: u32,
        ask: impl FnOnce(K, pharmacrm_shared::pb::PageRequest) -> Promise<R>,
    ) {
        self.result.poll();
        if self.result.is_pending() || self.sent.as_ref() == Some(&(key.clone(), self.offset)) {
            return;
        }
        if self.sent.as_ref().is_some_and(|(sent, _)| *sent != key) {
            self.offset = 0;
        }
        self.sent = Some((key.clone(), self.offset));
        let page = pharmacrm_shared::pb::PageRequest {
            offset: self.offset,
            limit: page_size,
        };
        self.result.request(ask(key, page));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pharmacrm_shared::pb::PageRequest;

    #[test]
    fn an_abandoned_call_keeps_the_value_shown_and_its_answer_never_lands() {
        let mut r: Requested<i32> = Requested::NotRequested;
        r.request(Promise::answered(Ok(1)));
        assert!(matches!(r.poll(), Polled::JustDone));
        r.request(Promise::answered(Ok(2)));
        r.abandon();
        assert!(!r.is_pending());
        assert!(matches!(r.poll(), Polled::Unchanged));
        assert_eq!(r.value(), Some(&1));
        // Nothing shown yet: nothing asked.
        let mut first: Requested<i32> = Requested::NotRequested;
        first.request(Promise::answered(Ok(3)));
        first.abandon();
        assert!(first.is_not_requested());
    }

    #[test]
    fn a_reloaded_value_stays_shown_until_the_new_answer_replaces_it() {
        let mut r: Requested<i32> = Requested::NotRequested;
        r.invalidate();
        assert!(r.is_not_requested());
        assert_eq!(r.value(), None);
        r.request(Promise::answered(Ok(1)));
        r.poll();
        r.invalidate();
        assert!(r.is_not_requested(), "to be asked again");
        assert_eq!(r.value(), Some(&1), "still shown");
        let slot = Arc::new(Mutex::new(None));
        let answer = slot.clone();
        r.request(Promise {
            take: Box::new(move || answer.lock().unwrap().take()),
        });
        r.poll();
        assert_eq!(r.value(), Some(&1), "shown while the call is on its way");
        *slot.lock().unwrap() = Some(Ok(2));
        r.poll();
        assert_eq!(r.value(), Some(&2));
    }

    /// Polls `list` with `key`; returns the page asked for, if a call was made.
    fn poll(list: &mut OffsetPaged<&'static str, u32>, key: &'static str) -> Option<PageRequest> {
        let mut asked = None;
        list.poll(key, 100, |_, page| {
            asked = Some(page);
            Promise::answered(Ok(page.offset))
        });
        asked
    }

    #[test]
    fn a_paged_list_asks_once_per_key_and_page_and_new_filters_start_at_the_first_page() {
        let mut list = OffsetPaged::default();
        assert_eq!(
            poll(&mut list, "a").map(|p| (p.offset, p.limit)),
            Some((0, 100))
        );
        assert_eq!(poll(&mut list, "a"), None, "nothing changed: no call");
        assert_eq!(list.result.value(), Some(&0));
        // The pager moves on: the same filters, the next page.
        list.offset = 100;
        assert_eq!(poll(&mut list, "a").map(|p| p.offset), Some(100));
        assert_eq!(
            list.result.value(),
            Some(&0),
            "the last page shows meanwhile"
        );
        assert_eq!(poll(&mut list, "a"), None);
        assert_eq!(list.result.value(), Some(&100));
        // Other filters: back to the first page.
        assert_eq!(poll(&mut list, "b").map(|p| p.offset), Some(0));
        assert_eq!(list.offset, 0);
        // After a save, the same page again.
        list.refresh();
        assert_eq!(poll(&mut list, "b").map(|p| p.offset), Some(0));
    }

    #[test]
    fn a_paged_list_waits_for_the_call_in_flight() {
        let mut list: OffsetPaged<&'static str, u32> = OffsetPaged::default();
        list.poll("a", 100, |_, _| Promise {
            take: Box::new(|| None),
        });
        assert!(list.result.is_pending());
        assert_eq!(poll(&mut list, "b"), None, "one call at a time");
    }
}
