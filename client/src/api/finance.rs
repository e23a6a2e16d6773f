//! FinanceService calls.

use pharmacrm_shared::pb;

calls! {
    /// FinanceService: payments and their allocation, invoices, statements and
    /// reconciliation, arrears.
    FinanceCalls = finance via finance {
        /// Records a payment (回款) and allocates it.
        fn record_payment(pb::RecordPaymentRequest) -> pb::Payment;
        /// Reverses a payment on a date, with a reason.
        fn reverse_payment(pb::ReversePaymentRequest) -> pb::Payment;
        /// One page of payments, newest first, with their allocations.
        fn list_payments(pb::ListPaymentsRequest) -> pb::ListPaymentsResponse;
        /// Records an invoice, or a red invoice reversing one.
        fn record_invoice(pb::RecordInvoiceRequest) -> pb::Invoice;
        /// One page of invoices, newest first.
        fn list_invoices(pb::ListInvoicesRequest) -> pb::ListInvoicesResponse;
        /// An order's money: shipped, deducted, invoiced, paid, outstanding.
        fn get_order_finance(pb::GetOrderFinanceRequest) -> pb::OrderFinance;
        /// The statement (对账单) of one customer or of every customer within scope.
        fn get_statement(pb::StatementRequest) -> pb::Statement;
        /// Confirms a customer's period as reconciled (对账确认).
        fn reconcile(pb::ReconcileRequest) -> pb::Reconciliation;
        /// Reopens the customer's latest reconciled period (撤销确认).
        fn reopen_reconciliation(pb::ReopenReconciliationRequest) -> pb::Reconciliation;
        /// A customer's reconciliations (对账记录), reopened ones too, the latest first.
        fn list_reconciliations(pb::ListReconciliationsRequest) -> pb::ListReconciliationsResponse;
        /// One page of the arrears list (欠款), with ageing as of today.
        fn list_arrears(pb::ListArrearsRequest) -> pb::ListArrearsResponse;
        /// One customer's open items (未结明细) as of today.
        fn list_open_items(pb::ListOpenItemsRequest) -> pb::OpenItems;
        /// Writes off part or all of what is owed on a shipment (应收核销).
        fn write_off_receivable(pb::WriteOffReceivableRequest) -> pb::WriteOff;
        /// Reverses a write-off, with a reason.
        fn reverse_write_off(pb::ReverseWriteOffRequest) -> pb::WriteOff;
        /// A customer's write-offs, reversed ones too, the latest first.
        fn list_write_offs(pb::ListWriteOffsRequest) -> pb::ListWriteOffsResponse;
    }
}
