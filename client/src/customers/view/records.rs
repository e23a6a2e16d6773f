//! What the customer view's follow-up, certificate and personal tabs share: a customer's
//! records of one kind, listed, and the form adding one or changing one (its draft, its
//! save, the complaints of a failed save under their fields), and deleting one after a
//! question (the server keeps it, marked deleted, and audits it).

use pharmacrm_shared::pb;

use crate::backend::{Polled, Promise, Requested};
use crate::i18n::t;
use crate::widgets::{self, FieldErrors};

/// The record the form changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Editing {
    /// Its id.
    pub id: i64,
    /// The version read, sent back so that a concurrent change is refused, not overwritten.
    pub version: i32,
}

/// What the form's buttons asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FormButton {
    /// Add the new record, or save the changes to the one edited.
    Save,
    /// Stop editing: the form is for a new record again.
    Cancel,
}

/// What [`Records::poll`] found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct RecordsPolled {
    /// A record was saved or deleted: the list and the customer are to be read again.
    pub changed: bool,
    /// The form was emptied for a new record (its record saved, or deleted).
    pub form_reset: bool,
}

/// A record to put into the form: its id, version and draft.
type ToEdit<D> = (i64, i32, D);

/// A customer's records `T`, and the draft `D` of a new one or of one being changed.
#[derive(Default)]
pub(super) struct Records<T, D> {
    list: Requested<Vec<T>>,
    /// The record as typed.
    pub draft: D,
    /// The record the draft changes, the draft as it was read, and the new record's draft
    /// the form held before (its choices, such as a kind, come back once the edit ends);
    /// `None`: a new record.
    editing: Option<(Editing, D, D)>,
    save: Requested<T>,
    /// The last save changed a record (the form is back to adding one: 已保存修改, not
    /// 已保存, beside its 添加 button).
    edit_saved: bool,
    /// Deleting a record: its id once done, or why it failed (said above the list, not in
    /// the form, until the next delete).
    delete: Requested<i64>,
    /// The record to delete once the user agrees, and what the question names it.
    confirm_delete: widgets::Confirm<(pb::DeleteRequest, String)>,
    /// A record to edit once the user agrees to drop what the form holds.
    discard: widgets::Discard<ToEdit<D>>,
    /// The last failed save's complaints, under their fields until edited.
    pub errors: FieldErrors,
}

impl<T: Clone + Send + 'static, D: Clone + PartialEq> Records<T, D> {
    /// No records yet, and `draft` to type in.
    pub fn new(draft: D) -> Self {
        Records {
            list: Requested::NotRequested,
            draft,
            editing: None,
            save: Requested::NotRequested,
            edit_saved: false,
            delete: Requested::NotRequested,
            confirm_delete: widgets::Confirm::default(),
            discard: widgets::Discard::default(),
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

    /// Polls the calls. When a record was just saved, or the one edited was deleted, the
    /// form is for a new record again: its draft becomes `next(&draft)` (what stays chosen,
    /// the rest cleared), `draft` being the new record's draft of before, when the one saved
    /// was an edit. A failed delete is said above the list
    /// ([`Records::list_status_ui`]), leaving the form's complaints as they are.
    pub fn poll(&mut self, next: impl FnOnce(&D) -> D) -> RecordsPolled {
        self.list.poll();
        let saved = self.errors.poll(&mut self.save);
        let deleted = matches!(self.delete.poll(), Polled::JustDone);
        // Another record deleted leaves what is typed as it is.
        let edited_gone = deleted && self.delete.value().copied() == self.editing().map(|e| e.id);
        let form_reset = saved || edited_gone;
        if saved {
            self.edit_saved = self.editing.is_some();
        }
        if form_reset {
            self.draft = next(&self.new_draft());
            self.editing = None;
        }
        RecordsPolled {
            changed: saved || deleted,
            form_reset,
        }
    }

    /// Above the list: why the last delete failed, if it did; the list's own state (a
    /// spinner while it is first read, why reading it failed); "暂无记录" when the customer
    /// has none.
    pub fn list_status_ui(&self, ui: &mut egui::Ui) {
        if let Some(error) = self.delete.error() {
            widgets::error_line(ui, error);
        }
        widgets::request_status(ui, &self.list);
        if self.list.value().is_some_and(Vec::is_empty) {
            ui.label(egui::RichText::new(t("records.none")).weak());
        }
    }

    /// Whether a save or a delete may start (no save or delete is on its way).
    pub fn ready(&self) -> bool {
        !self.save.is_pending() && !self.delete.is_pending()
    }

    /// Saves the record.
    pub fn save(&mut self, saved: Promise<T>) {
        self.save.request(saved);
    }

    /// The record the form changes, if any.
    pub fn editing(&self) -> Option<Editing> {
        self.editing.as_ref().map(|(e, _, _)| *e)
    }

    /// The draft of a new record: the one typed, or, while a record is edited, the one the
    /// form held before.
    fn new_draft(&self) -> D {
        match &self.editing {
            Some((_, _, new)) => new.clone(),
            None => self.draft.clone(),
        }
    }

    /// Whether the form holds input not saved: a change to the record edited, or, for a
    /// new one, anything `typed` says was typed.
    pub fn is_dirty(&self, typed: impl FnOnce(&D) -> bool) -> bool {
        match &self.editing {
            Some((_, read, _)) => *read != self.draft,
            None => typed(&self.draft),
        }
    }

    /// Puts record `id` (at `version`, reading `draft`) into the form: now, or, when the
    /// form holds unsaved input (`dirty`), once the user agrees to drop it (the question
    /// is drawn by [`Records::dialogs_ui`]).
    pub fn edit(&mut self, dirty: bool, (id, version, draft): ToEdit<D>) {
        if let Some(to_edit) = self.discard.request(dirty, (id, version, draft)) {
            self.start_editing(to_edit);
        }
    }

    fn start_editing(&mut self, (id, version, draft): ToEdit<D>) {
        let new = self.new_draft();
        self.editing = Some((Editing { id, version }, draft.clone(), new));
        self.draft = draft;
        self.errors.set(None);
    }

    /// The buttons under the form: 添加 (`add`) for a new record; 保存修改 and 取消修改 for
    /// one edited, saving once the draft or something beside it (`changed_beside`: a scan
    /// chosen) has changed. `submitted`: Enter was pressed in a field.
    pub fn form_buttons(
        &self,
        ui: &mut egui::Ui,
        add: &str,
        submitted: bool,
        changed_beside: bool,
    ) -> Option<FormButton> {
        let mut pressed = None;
        ui.horizontal(|ui| {
            let (label, may_save) = match &self.editing {
                Some((_, read, _)) => (
                    t("records.save_changes"),
                    changed_beside || *read != self.draft,
                ),
                None => (add, true),
            };
            if widgets::submit_button(ui, label, self.ready() && may_save, submitted) {
                pressed = Some(FormButton::Save);
            }
            if self.editing.is_some() && ui.button(t("records.cancel_edit")).clicked() {
                pressed = Some(FormButton::Cancel);
            }
            if !self.ready() {
                ui.spinner();
            }
            let saved = match self.edit_saved && self.editing.is_none() {
                true => t("records.changes_saved"),
                false => t("common.saved"),
            };
            self.errors.saved_ui_as(ui, changed_beside, saved);
        });
        pressed
    }

    /// The form is for a new record again (取消修改), `next(&draft)` in it: `draft` is the new
    /// record's draft the form held before the edit.
    pub fn stop_editing(&mut self, next: impl FnOnce(&D) -> D) {
        self.draft = next(&self.new_draft());
        self.editing = None;
        self.errors.set(None);
    }

    /// A record's 编辑 and 删除 buttons, for a row of the list: true when 编辑 was
    /// pressed; 删除 asks first, naming the record `name`.
    pub fn row_buttons(&mut self, ui: &mut egui::Ui, id: i64, version: i32, name: &str) -> bool {
        let editing_this = self.editing().is_some_and(|e| e.id == id);
        // Not while a save is on its way: its answer empties the form.
        let edit = ui
            .add_enabled(
                self.ready() && !editing_this,
                egui::Button::new(t("common.edit")).small(),
            )
            .clicked();
        if ui
            .add_enabled(self.ready(), egui::Button::new(t("common.delete")).small())
            .clicked()
        {
            self.confirm_delete
                .ask((pb::DeleteRequest { id, version }, name.to_owned()));
        }
        edit
    }

    /// The questions, while one is open: before a delete ("删除 `name`？"; once agreed,
    /// `delete` sends the request), and before dropping the form's input for a record to
    /// edit.
    pub fn dialogs_ui(
        &mut self,
        ctx: &egui::Context,
        id: &str,
        delete: impl FnOnce(pb::DeleteRequest) -> Promise<()>,
    ) {
        if let Some(to_edit) = self.discard.ui(ctx, &format!("{id}_discard")) {
            self.start_editing(to_edit);
        }
        if let Some(request) =
            self.confirm_delete
                .named_ui(ctx, id, t("records.delete_question"), t("common.delete"))
        {
            let id = request.id;
            self.delete.request(delete(request).map(move |()| id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Texts = Records<String, String>;

    fn records() -> Texts {
        let mut records = Texts::new(String::new());
        records.reload(Promise::answered(Ok(vec!["a".into(), "b".into()])));
        records.poll(|_| String::new());
        records
    }

    /// Puts record `id` into the form, the form holding nothing unsaved.
    fn edit(records: &mut Texts, id: i64, version: i32, draft: &str) {
        records.edit(false, (id, version, draft.into()));
    }

    /// Deletes record `id` as though the user agreed to the question.
    fn delete(records: &mut Texts, id: i64) {
        records.delete.request(Promise::answered(Ok(id)));
    }

    #[test]
    fn a_record_edited_is_unsaved_only_once_changed_and_is_dropped_when_saved() {
        let mut records = records();
        let typed_anything = |d: &String| !d.is_empty();
        assert!(!records.is_dirty(typed_anything));
        edit(&mut records, 7, 3, "钓鱼");
        assert_eq!(records.editing(), Some(Editing { id: 7, version: 3 }));
        assert!(!records.is_dirty(typed_anything), "read, not changed");
        records.draft.push_str("、登山");
        assert!(records.is_dirty(typed_anything));
        records.save(Promise::answered(Ok("钓鱼、登山".into())));
        let polled = records.poll(|_| String::new());
        assert!(polled.changed && polled.form_reset, "saved: read again");
        assert_eq!(records.editing(), None);
        assert_eq!(records.draft, "");
    }

    #[test]
    fn after_an_edit_the_form_comes_back_to_the_new_records_choice_not_the_edited_ones() {
        // A draft of (kind, text): a new certificate of kind 2 being chosen, then one of
        // kind 1 edited; the kind kept for the next new record is 2, saved or cancelled.
        let next = |d: &(u8, String)| (d.0, String::new());
        for cancel in [false, true] {
            let mut records = Records::<String, (u8, String)>::new((0, String::new()));
            records.draft = (2, "半句".into());
            records.edit(false, (7, 3, (1, "粤AA0201234".into())));
            assert_eq!(records.draft.0, 1, "the record's own kind while edited");
            records.draft.1.push('5');
            if cancel {
                records.stop_editing(next);
            } else {
                records.save(Promise::answered(Ok("saved".into())));
                assert!(records.poll(next).form_reset);
            }
            assert_eq!(records.editing(), None);
            assert_eq!(records.draft, (2, String::new()), "cancelled: {cancel}");
        }
    }

    #[test]
    fn deleting_another_record_keeps_the_one_edited_and_deleting_it_clears_the_form() {
        let mut records = records();
        edit(&mut records, 7, 3, "钓鱼");
        records.draft.push('！');
        delete(&mut records, 8);
        let polled = records.poll(|_| String::new());
        assert!(polled.changed && !polled.form_reset);
        assert_eq!(records.editing().map(|e| e.id), Some(7));
        assert_eq!(records.draft, "钓鱼！", "what was typed stays");
        delete(&mut records, 7);
        assert!(records.poll(|_| String::new()).form_reset);
        assert_eq!(records.editing(), None);
        assert_eq!(records.draft, "");
    }

    #[test]
    fn editing_over_unsaved_input_waits_for_the_answer_and_a_failed_delete_leaves_the_form() {
        let mut typing = records();
        typing.draft = "半句".into();
        typing.edit(true, (7, 3, "钓鱼".into()));
        assert_eq!(typing.editing(), None, "asked first");
        assert_eq!(typing.draft, "半句");
        let mut failed = records();
        failed.errors.set(None);
        failed
            .delete
            .request(Promise::answered(Err(crate::api::ApiError::local(
                crate::api::ErrorKind::Unreachable,
                "断开",
            ))));
        let polled = failed.poll(|_| String::new());
        assert!(!polled.changed);
        assert!(failed.errors.error().is_none(), "not the form's complaint");
        assert!(failed.delete.error().is_some());
    }
}
