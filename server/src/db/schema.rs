// @generated automatically by Diesel CLI.

diesel::table! {
    audit_log (id) {
        id -> Int8,
        at -> Timestamptz,
        user_id -> Nullable<Int8>,
        username -> Text,
        peer -> Text,
        action -> Text,
        object_type -> Text,
        object_id -> Text,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        prev_hash -> Bytea,
        hash -> Bytea,
    }
}

diesel::table! {
    company_settings (id) {
        id -> Int8,
        default_transit_days -> Int4,
        version -> Int4,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
        credit_hold_days -> Int4,
        new_customer_credit_days -> Int4,
        new_customer_credit_limit -> Nullable<Numeric>,
        near_expiry_days -> Int4,
    }
}

diesel::table! {
    container_units (id) {
        id -> Int8,
        name -> Text,
        capacity -> Numeric,
        capacity_unit -> Text,
        note -> Text,
        is_active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
    }
}

diesel::table! {
    customer_assignments (id) {
        id -> Int8,
        customer_id -> Int8,
        role -> Text,
        user_id -> Int8,
        effective_from -> Timestamptz,
        effective_to -> Nullable<Timestamptz>,
        assigned_by -> Nullable<Int8>,
        source -> Text,
    }
}

diesel::table! {
    customer_certificates (id) {
        id -> Int8,
        customer_id -> Int8,
        kind -> Text,
        number -> Text,
        authority -> Text,
        issued_on -> Nullable<Date>,
        expires_on -> Nullable<Date>,
        scan -> Nullable<Bytea>,
        scan_name -> Text,
        scan_type -> Text,
        is_deleted -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        created_by -> Nullable<Int8>,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
    }
}

diesel::table! {
    customer_drugs (customer_id, drug_id) {
        customer_id -> Int8,
        drug_id -> Int8,
    }
}

diesel::table! {
    customer_followups (id) {
        id -> Int8,
        customer_id -> Int8,
        happened_at -> Timestamptz,
        method -> Text,
        content -> Text,
        result -> Text,
        next_on -> Nullable<Date>,
        is_deleted -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        created_by -> Nullable<Int8>,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
    }
}

diesel::table! {
    customer_profile_records (id) {
        id -> Int8,
        customer_id -> Int8,
        kind -> Text,
        title -> Text,
        detail -> Text,
        date_from -> Nullable<Date>,
        date_to -> Nullable<Date>,
        is_deleted -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        created_by -> Nullable<Int8>,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
        person -> Text,
    }
}

diesel::table! {
    customer_receivables (customer_id) {
        customer_id -> Int8,
        outstanding -> Numeric,
        oldest_due -> Nullable<Date>,
        on_account -> Numeric,
    }
}

diesel::table! {
    customer_type_changes (id) {
        id -> Int8,
        customer_id -> Int8,
        from_type_id -> Nullable<Int8>,
        to_type_id -> Int8,
        reason -> Text,
        changed_by -> Nullable<Int8>,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    customer_types (id) {
        id -> Int8,
        name -> Text,
        sort_order -> Int4,
        is_active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
    }
}

diesel::table! {
    customers (id) {
        id -> Int8,
        name -> Text,
        contact_person -> Text,
        id_number_enc -> Nullable<Bytea>,
        id_number_hash -> Nullable<Bytea>,
        id_number_masked -> Text,
        phone -> Text,
        fax -> Text,
        postcode -> Text,
        province_code -> Text,
        city_code -> Text,
        address -> Text,
        business_kind -> Text,
        type_id -> Int8,
        credit_days -> Int4,
        note -> Text,
        sales_rep_id -> Int8,
        cs_rep_id -> Int8,
        is_active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        created_by -> Nullable<Int8>,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
        search_grams -> Array<Text>,
        pinyin_sets -> Text,
        credit_limit -> Nullable<Numeric>,
        pinyin_grams -> Array<Text>,
    }
}

diesel::table! {
    departments (id) {
        id -> Int8,
        parent_id -> Nullable<Int8>,
        name -> Text,
        is_active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
    }
}

diesel::table! {
    document_counters (kind, day) {
        kind -> Text,
        day -> Date,
        last -> Int4,
    }
}

diesel::table! {
    drug_categories (id) {
        id -> Int8,
        parent_id -> Nullable<Int8>,
        name -> Text,
        origin -> Text,
        sort_order -> Int4,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
    }
}

diesel::table! {
    drugs (id) {
        id -> Int8,
        name -> Text,
        trade_name -> Text,
        specification -> Text,
        dosage_form -> Text,
        manufacturer -> Text,
        approval_number -> Text,
        category_id -> Int8,
        unit_id -> Int8,
        purchase_price -> Numeric,
        sale_price -> Numeric,
        note -> Text,
        is_active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        created_by -> Nullable<Int8>,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
        search_grams -> Array<Text>,
        pinyin_sets -> Text,
        pinyin_grams -> Array<Text>,
    }
}

diesel::table! {
    exception_lines (id) {
        id -> Int8,
        exception_id -> Int8,
        shipment_line_id -> Int8,
        quantity -> Int8,
        unit_price -> Numeric,
        amount -> Numeric,
    }
}

diesel::table! {
    invoice_orders (invoice_id, order_id) {
        invoice_id -> Int8,
        order_id -> Int8,
        amount -> Numeric,
    }
}

diesel::table! {
    invoices (id) {
        id -> Int8,
        invoicing_entity_id -> Int8,
        kind -> Text,
        number -> Text,
        customer_id -> Int8,
        invoice_date -> Date,
        amount -> Numeric,
        red_of_invoice_id -> Nullable<Int8>,
        note -> Text,
        created_at -> Timestamptz,
        created_by -> Int8,
        code -> Text,
    }
}

diesel::table! {
    invoicing_entities (id) {
        id -> Int8,
        name -> Text,
        tax_number -> Text,
        note -> Text,
        sort_order -> Int4,
        is_active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
    }
}

diesel::table! {
    login_throttle (username) {
        username -> Text,
        failed_count -> Int4,
        locked_until -> Nullable<Timestamptz>,
        last_failed_at -> Timestamptz,
        under_way -> Int4,
        last_begun_at -> Timestamptz,
    }
}

diesel::table! {
    order_lines (id) {
        id -> Int8,
        order_id -> Int8,
        line_no -> Int4,
        drug_id -> Int8,
        drug_name -> Text,
        specification -> Text,
        dosage_form -> Text,
        manufacturer -> Text,
        unit_label -> Text,
        quantity -> Int8,
        unit_price -> Numeric,
        amount -> Numeric,
        shipped_quantity -> Int8,
        list_price -> Nullable<Numeric>,
    }
}

diesel::table! {
    orders (id) {
        id -> Int8,
        number -> Text,
        customer_id -> Int8,
        sales_rep_id -> Int8,
        cs_rep_id -> Int8,
        order_date -> Date,
        invoicing_entity_id -> Int8,
        delivery_address -> Text,
        requested_delivery_date -> Nullable<Date>,
        credit_days -> Int4,
        note -> Text,
        total -> Numeric,
        units_ordered -> Int8,
        units_shipped -> Int8,
        units_delivered -> Int8,
        open_shipments -> Int4,
        exception_count -> Int4,
        open_exceptions -> Int4,
        cancelled_at -> Nullable<Timestamptz>,
        cancel_reason -> Text,
        cancelled_by -> Nullable<Int8>,
        version -> Int4,
        created_at -> Timestamptz,
        created_by -> Int8,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
        closed_at -> Nullable<Timestamptz>,
        close_reason -> Text,
        closed_by -> Nullable<Int8>,
        closed_amount -> Numeric,
        unit_name -> Nullable<Text>,
        awaiting_approval -> Bool,
        status -> Text,
    }
}

diesel::table! {
    payments (id) {
        id -> Int8,
        number -> Text,
        customer_id -> Int8,
        payment_date -> Date,
        amount -> Numeric,
        method -> Text,
        reference -> Text,
        handler_id -> Int8,
        sales_rep_id -> Int8,
        note -> Text,
        reversed_at -> Nullable<Timestamptz>,
        reversed_by -> Nullable<Int8>,
        reversal_date -> Nullable<Date>,
        reversal_reason -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        created_by -> Int8,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
    }
}

diesel::table! {
    position_permissions (position_id, permission) {
        position_id -> Int8,
        permission -> Text,
    }
}

diesel::table! {
    positions (id) {
        id -> Int8,
        name -> Text,
        description -> Text,
        data_scope -> Text,
        is_builtin -> Bool,
        is_active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
    }
}

diesel::table! {
    receivable_balances (shipment_id) {
        shipment_id -> Int8,
        customer_id -> Int8,
        due_date -> Date,
        outstanding -> Numeric,
    }
}

diesel::table! {
    receivable_entries (id) {
        id -> Int8,
        customer_id -> Int8,
        entry_date -> Date,
        kind -> Text,
        document_no -> Text,
        shipment_id -> Nullable<Int8>,
        order_id -> Nullable<Int8>,
        due_date -> Nullable<Date>,
        exception_id -> Nullable<Int8>,
        payment_id -> Nullable<Int8>,
        amount -> Numeric,
        sales_rep_id -> Int8,
        handler_id -> Int8,
        created_at -> Timestamptz,
        created_by -> Nullable<Int8>,
        write_off_id -> Nullable<Int8>,
    }
}

diesel::table! {
    reconciliations (id) {
        id -> Int8,
        customer_id -> Int8,
        period_from -> Date,
        period_to -> Date,
        closing_balance -> Numeric,
        note -> Text,
        created_at -> Timestamptz,
        created_by -> Int8,
        reopened_at -> Nullable<Timestamptz>,
        reopened_by -> Nullable<Int8>,
        reopen_reason -> Text,
    }
}

diesel::table! {
    request_ids (user_id, request_id) {
        user_id -> Int8,
        request_id -> Text,
        fingerprint -> Bytea,
        object_type -> Text,
        object_id -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sales_lines (id) {
        id -> Int8,
        entry_id -> Nullable<Int8>,
        sale_date -> Date,
        drug_id -> Int8,
        order_id -> Int8,
        customer_id -> Int8,
        shipment_line_id -> Int8,
        sales_rep_id -> Int8,
        cs_rep_id -> Int8,
        quantity -> Int8,
        amount -> Numeric,
    }
}

diesel::table! {
    sessions (id) {
        id -> Int8,
        token_hash -> Bytea,
        user_id -> Int8,
        kind -> Text,
        label -> Text,
        peer -> Text,
        created_at -> Timestamptz,
        last_seen_at -> Nullable<Timestamptz>,
        absolute_expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    shipment_lines (id) {
        id -> Int8,
        shipment_id -> Int8,
        order_line_id -> Int8,
        exception_line_id -> Nullable<Int8>,
        quantity -> Int8,
        unit_price -> Numeric,
        amount -> Numeric,
        batch_no -> Text,
        expiry_date -> Date,
        exception_quantity -> Int8,
    }
}

diesel::table! {
    shipments (id) {
        id -> Int8,
        number -> Text,
        order_id -> Int8,
        customer_id -> Int8,
        ship_date -> Date,
        carrier -> Text,
        waybill_no -> Text,
        transit_days -> Int4,
        expected_arrival -> Date,
        invoicing_entity_id -> Int8,
        invoice_no -> Text,
        replacement_of_exception_id -> Nullable<Int8>,
        amount -> Numeric,
        delivery_status -> Text,
        delivered_at -> Nullable<Timestamptz>,
        signer -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        created_by -> Int8,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
    }
}

diesel::table! {
    transport_exceptions (id) {
        id -> Int8,
        number -> Text,
        shipment_id -> Int8,
        order_id -> Int8,
        customer_id -> Int8,
        kind -> Text,
        description -> Text,
        value -> Numeric,
        decision -> Text,
        decided_by -> Nullable<Int8>,
        decided_at -> Nullable<Timestamptz>,
        note -> Text,
        replacement_shipment_id -> Nullable<Int8>,
        reported_by -> Int8,
        reported_at -> Timestamptz,
        closed_at -> Nullable<Timestamptz>,
        version -> Int4,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
    }
}

diesel::table! {
    user_positions (user_id, position_id) {
        user_id -> Int8,
        position_id -> Int8,
    }
}

diesel::table! {
    users (id) {
        id -> Int8,
        username -> Text,
        display_name -> Text,
        department_id -> Nullable<Int8>,
        phone -> Text,
        password_hash -> Nullable<Text>,
        is_service_account -> Bool,
        is_active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
        must_change_password -> Bool,
    }
}

diesel::table! {
    write_offs (id) {
        id -> Int8,
        number -> Text,
        customer_id -> Int8,
        shipment_id -> Int8,
        order_id -> Int8,
        write_off_date -> Date,
        amount -> Numeric,
        reason_kind -> Text,
        reason -> Text,
        reversed_at -> Nullable<Timestamptz>,
        reversed_by -> Nullable<Int8>,
        reversal_date -> Nullable<Date>,
        reversal_reason -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        created_by -> Int8,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
    }
}

diesel::joinable!(audit_log -> users (user_id));
diesel::joinable!(company_settings -> users (updated_by));
diesel::joinable!(container_units -> users (updated_by));
diesel::joinable!(customer_assignments -> customers (customer_id));
diesel::joinable!(customer_certificates -> customers (customer_id));
diesel::joinable!(customer_drugs -> customers (customer_id));
diesel::joinable!(customer_drugs -> drugs (drug_id));
diesel::joinable!(customer_followups -> customers (customer_id));
diesel::joinable!(customer_profile_records -> customers (customer_id));
diesel::joinable!(customer_receivables -> customers (customer_id));
diesel::joinable!(customer_type_changes -> customers (customer_id));
diesel::joinable!(customer_type_changes -> users (changed_by));
diesel::joinable!(customer_types -> users (updated_by));
diesel::joinable!(customers -> customer_types (type_id));
diesel::joinable!(drug_categories -> users (updated_by));
diesel::joinable!(drugs -> container_units (unit_id));
diesel::joinable!(drugs -> drug_categories (category_id));
diesel::joinable!(exception_lines -> transport_exceptions (exception_id));
diesel::joinable!(invoice_orders -> invoices (invoice_id));
diesel::joinable!(invoice_orders -> orders (order_id));
diesel::joinable!(invoices -> customers (customer_id));
diesel::joinable!(invoices -> invoicing_entities (invoicing_entity_id));
diesel::joinable!(invoices -> users (created_by));
diesel::joinable!(invoicing_entities -> users (updated_by));
diesel::joinable!(order_lines -> drugs (drug_id));
diesel::joinable!(order_lines -> orders (order_id));
diesel::joinable!(orders -> customers (customer_id));
diesel::joinable!(orders -> invoicing_entities (invoicing_entity_id));
diesel::joinable!(payments -> customers (customer_id));
diesel::joinable!(position_permissions -> positions (position_id));
diesel::joinable!(positions -> users (updated_by));
diesel::joinable!(receivable_balances -> customers (customer_id));
diesel::joinable!(receivable_balances -> shipments (shipment_id));
diesel::joinable!(receivable_entries -> customers (customer_id));
diesel::joinable!(receivable_entries -> orders (order_id));
diesel::joinable!(receivable_entries -> payments (payment_id));
diesel::joinable!(receivable_entries -> shipments (shipment_id));
diesel::joinable!(receivable_entries -> transport_exceptions (exception_id));
diesel::joinable!(receivable_entries -> write_offs (write_off_id));
diesel::joinable!(reconciliations -> customers (customer_id));
diesel::joinable!(request_ids -> users (user_id));
diesel::joinable!(sales_lines -> customers (customer_id));
diesel::joinable!(sales_lines -> drugs (drug_id));
diesel::joinable!(sales_lines -> orders (order_id));
diesel::joinable!(sales_lines -> receivable_entries (entry_id));
diesel::joinable!(sales_lines -> shipment_lines (shipment_line_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(shipment_lines -> order_lines (order_line_id));
diesel::joinable!(shipment_lines -> shipments (shipment_id));
diesel::joinable!(shipments -> customers (customer_id));
diesel::joinable!(shipments -> invoicing_entities (invoicing_entity_id));
diesel::joinable!(shipments -> orders (order_id));
diesel::joinable!(transport_exceptions -> customers (customer_id));
diesel::joinable!(transport_exceptions -> orders (order_id));
diesel::joinable!(user_positions -> positions (position_id));
diesel::joinable!(user_positions -> users (user_id));
diesel::joinable!(write_offs -> customers (customer_id));
diesel::joinable!(write_offs -> orders (order_id));
diesel::joinable!(write_offs -> shipments (shipment_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_log,
    company_settings,
    container_units,
    customer_assignments,
    customer_certificates,
    customer_drugs,
    customer_followups,
    customer_profile_records,
    customer_receivables,
    customer_type_changes,
    customer_types,
    customers,
    departments,
    document_counters,
    drug_categories,
    drugs,
    exception_lines,
    invoice_orders,
    invoices,
    invoicing_entities,
    login_throttle,
    order_lines,
    orders,
    payments,
    position_permissions,
    positions,
    receivable_balances,
    receivable_entries,
    reconciliations,
    request_ids,
    sales_lines,
    sessions,
    shipment_lines,
    shipments,
    transport_exceptions,
    user_positions,
    users,
    write_offs,
);
