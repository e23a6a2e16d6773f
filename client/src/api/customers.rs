//! CustomerService calls.

use pharmacrm_shared::pb;

calls! {
    /// CustomerService: customers, their records, types, allocation.
    CustomerCalls = customers via customers {
        /// The customer types.
        fn list_customer_types(pb::ListCustomerTypesRequest) -> pb::ListCustomerTypesResponse;
        /// Adds a customer type.
        fn create_customer_type(pb::CustomerTypeInput) -> pb::CustomerType;
        /// Renames or reorders a customer type.
        fn update_customer_type(pb::UpdateCustomerTypeRequest) -> pb::CustomerType;
        /// Archives or restores a customer type.
        fn set_customer_type_active(pb::SetActiveRequest) -> pb::CustomerType;
        /// Customers with the same name or phone.
        fn find_duplicates(pb::FindDuplicatesRequest) -> pb::FindDuplicatesResponse;
        /// Registers a customer.
        fn create_customer(pb::CustomerInput) -> pb::Customer;
        /// Changes a customer.
        fn update_customer(pb::UpdateCustomerRequest) -> pb::Customer;
        /// Archives or restores a customer.
        fn set_customer_active(pb::SetActiveRequest) -> pb::Customer;
        /// One customer.
        fn get_customer(pb::GetCustomerRequest) -> pb::Customer;
        /// One page of customers.
        fn search_customers(pb::SearchCustomersRequest) -> pb::SearchCustomersResponse;
        /// The full ID number (audited).
        fn reveal_id_number(pb::GetCustomerRequest) -> pb::RevealIdNumberResponse;
        /// Changes the type with a reason.
        fn change_customer_type(pb::ChangeCustomerTypeRequest) -> pb::Customer;
        /// The type history.
        fn list_type_history(pb::GetCustomerRequest) -> pb::ListTypeHistoryResponse;
        /// Assigns the reps.
        fn assign_customer(pb::AssignCustomerRequest) -> pb::Customer;
        /// Who was responsible when.
        fn list_assignment_history(pb::GetCustomerRequest) -> pb::ListAssignmentHistoryResponse;
        /// Hands a leaver's customers over.
        fn handover_customers(pb::HandoverCustomersRequest) -> pb::HandoverCustomersResponse;
        /// Personal records.
        fn list_profile_records(pb::GetCustomerRequest) -> pb::ListProfileRecordsResponse;
        /// Adds or changes a personal record.
        fn save_profile_record(pb::ProfileRecord) -> pb::ProfileRecord;
        /// Deletes a personal record.
        fn delete_profile_record(pb::DeleteRequest) -> ();
        /// Follow-ups.
        fn list_followups(pb::GetCustomerRequest) -> pb::ListFollowupsResponse;
        /// Adds or changes a follow-up.
        fn save_followup(pb::Followup) -> pb::Followup;
        /// Deletes a follow-up.
        fn delete_followup(pb::DeleteRequest) -> ();
        /// Certificates.
        fn list_certificates(pb::GetCustomerRequest) -> pb::ListCertificatesResponse;
        /// Adds or changes a certificate.
        fn save_certificate(pb::SaveCertificateRequest) -> pb::Certificate;
        /// Deletes a certificate.
        fn delete_certificate(pb::DeleteRequest) -> ();
        /// The rep's work list.
        fn my_work(()) -> pb::MyWorkResponse;
        /// Sales reps, CS reps or current holders.
        fn list_reps(pb::ListRepsRequest) -> pb::ListRepsResponse;
        /// The departments the caller's data scope covers (for filters).
        fn list_scope_departments(()) -> pb::ListScopeDepartmentsResponse;
    }
}
