//! The gRPC connection: TLS channel, bearer token, and errors turned into sentences the
//! user can act on, in the UI's language; and the typed calls of each service
//! (`ctx.customers().get_customer(…)`), one file per service.

#[macro_use]
mod calls;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod customers;
pub mod drugs;
pub mod files;
pub mod finance;
pub mod orders;
pub mod reports;

use chrono::{DateTime, Utc};
use pharmacrm_shared::pb::admin_service_client::AdminServiceClient;
use pharmacrm_shared::pb::audit_service_client::AuditServiceClient;
use pharmacrm_shared::pb::auth_service_client::AuthServiceClient;
use pharmacrm_shared::pb::customer_service_client::CustomerServiceClient;
use pharmacrm_shared::pb::drug_service_client::DrugServiceClient;
use pharmacrm_shared::pb::finance_service_client::FinanceServiceClient;
use pharmacrm_shared::pb::order_service_client::OrderServiceClient;
use pharmacrm_shared::pb::report_service_client::ReportServiceClient;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};
use tonic::{Code, Status};
use tonic_types::StatusExt;

use crate::format;
use crate::i18n::{Lang, bracketed, label_value, lang, t};

/// What went wrong with a call, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// The gRPC code; `None` when the server was never reached.
    pub code: Option<Code>,
    /// What kind of failure, for the login screen's sentences.
    pub kind: ErrorKind,
    /// English text from the server (or the transport).
    pub en: String,
    /// Chinese text from the server, when it sent one.
    pub zh: Option<String>,
    /// Bad fields: (field, English, Chinese).
    pub fields: Vec<FieldError>,
    /// Who changed a record since it was read, and when (stale version).
    pub conflict: Option<(String, DateTime<Utc>)>,
    /// The record was read again since (the form follows it): the sentence says so
    /// rather than asking for a reload.
    pub reread: bool,
    /// Until when a username is locked (too many failed logins).
    pub locked_until: Option<DateTime<Utc>>,
}

/// One bad field named by the server.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    /// The proto field name.
    pub field: String,
    /// English.
    pub en: String,
    /// Chinese.
    pub zh: Option<String>,
}

/// Coarse kinds of failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The server answered with an error status.
    Server,
    /// The server could not be reached.
    Unreachable,
    /// The server's certificate is not signed by the CA we trust.
    CertificateNotTrusted,
    /// The CA file could not be read.
    BadCaFile,
}

impl ApiError {
    /// A local failure with a translated sentence.
    pub fn local(kind: ErrorKind, detail: impl Into<String>) -> ApiError {
        ApiError {
            code: None,
            kind,
            en: detail.into(),
            zh: None,
            fields: Vec::new(),
            conflict: None,
            reread: false,
            locked_until: None,
        }
    }

    /// A refusal naming `fields` (INVALID_ARGUMENT), as the server words one: what a
    /// preview warned of on fields the form shows its complaints under.
    pub fn of_fields(fields: Vec<FieldError>) -> ApiError {
        ApiError {
            code: Some(Code::InvalidArgument),
            kind: ErrorKind::Server,
            en: String::new(),
            zh: None,
            fields,
            conflict: None,
            reread: false,
            locked_until: None,
        }
    }

    /// Whether the session has ended (expired, logged out elsewhere, disabled).
    pub fn is_unauthenticated(&self) -> bool {
        self.code == Some(Code::Unauthenticated)
    }

    /// The sentence to show, in the UI's language.
    pub fn message(&self) -> String {
        match self.kind {
            ErrorKind::Unreachable => return bracketed(t("error.unreachable"), &self.en),
            ErrorKind::CertificateNotTrusted => return t("error.certificate").to_owned(),
            ErrorKind::BadCaFile => return label_value(t("error.ca_file"), self.localized()),
            ErrorKind::Server => {}
        }
        if let Some(until) = self.locked_until {
            return t("error.locked").replace("{time}", &format::business_time(until));
        }
        if let Some((by, at)) = &self.conflict {
            // In the sentence: "Changed by the system at …".
            let who = if by.is_empty() {
                t("error.conflict_system")
            } else {
                by
            };
            let sentence = if self.reread {
                t("error.conflict_reread")
            } else {
                t("error.conflict")
            };
            return sentence
                .replace("{who}", who)
                .replace("{time}", &format::business_time(*at));
        }
        sentence(self.localized())
    }

    /// The text in the UI's language: the Chinese when there is one, else the English.
    fn localized(&self) -> &str {
        match (lang(), &self.zh) {
            (Lang::Zh, Some(zh)) => zh,
            _ => &self.en,
        }
    }

    /// The error with the fields of the message nested in the request at `prefix` named
    /// as a form shows them, by their own names (an update's `drug.name` → `name`,
    /// `order.lines[0].quantity` → `lines[0].quantity`); other fields as they are.
    pub fn unnested(mut self, prefix: &str) -> ApiError {
        for f in &mut self.fields {
            if let Some(own) = f
                .field
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('.'))
            {
                f.field = own.to_owned();
            }
        }
        self
    }

    /// The error of a request that sent only the rows `at` of the form's list `list`
    /// (the j-th row sent is the form's row `at[j]`): its fields named by the form's rows.
    pub fn rows_renumbered(mut self, list: &str, at: &[usize]) -> ApiError {
        for f in &mut self.fields {
            if let Some(field) =
                crate::widgets::row_renumbered(&f.field, list, |j| at.get(j).copied())
            {
                f.field = field;
            }
        }
        self
    }

    /// The error with the complaints about `fields` said as `said` instead: what a form
    /// knows better than the server of a field it sent empty (a quantity left empty, sent
    /// as 0, is "必填"; a time that did not read, sent as none, is to be typed as shown).
    pub fn restated(
        mut self,
        fields: &[String],
        said: &pharmacrm_shared::validation::Violation,
    ) -> ApiError {
        for f in self.fields.iter_mut().filter(|f| fields.contains(&f.field)) {
            f.en.clone_from(&said.en);
            f.zh = Some(said.zh.clone());
        }
        self
    }

    /// The server's sentences for `field`, one a line, if it named that field or items
    /// of it ([`names_field`]).
    pub fn field(&self, field: &str) -> Option<String> {
        self.field_text(field, sentence)
    }

    /// [`ApiError::field`] as said after the field's name ("End date: is before …"): the
    /// English as the server wrote it, not made a sentence.
    pub fn field_clause(&self, field: &str) -> Option<String> {
        self.field_text(field, str::to_owned)
    }

    /// The texts for `field`, one a line, the English ones through `english`.
    fn field_text(&self, field: &str, english: fn(&str) -> String) -> Option<String> {
        let texts: Vec<String> = self
            .fields
            .iter()
            .filter(|f| names_field(&f.field, field))
            .map(|f| match (lang(), &f.zh) {
                (Lang::Zh, Some(zh)) => zh.clone(),
                _ => english(&f.en),
            })
            .collect();
        (!texts.is_empty()).then(|| texts.join("\n"))
    }
}

/// The server's `text` as the UI shows it on its own: a sentence, an English one with its
/// first letter capital ("department not found" → "Department not found"; Chinese as it
/// is). The wire keeps gRPC's lower-case convention for other services and logs.
pub(crate) fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Whether the field the server named, `named`, is `field` or an item of the list `field`
/// (`drug_ids[2]` of `drug_ids`): a list chosen with one input (a drug picker, position
/// checkboxes) shows its items' complaints under that input.
pub fn names_field(named: &str, field: &str) -> bool {
    named == field
        || named
            .strip_prefix(field)
            .and_then(|rest| rest.strip_prefix('['))
            .and_then(|rest| rest.strip_suffix(']'))
            .is_some_and(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
}

impl From<Status> for ApiError {
    fn from(status: Status) -> Self {
        let details = status.get_error_details();
        if status.code() == Code::Unavailable || status.code() == Code::Unknown {
            let text = status.message().to_lowercase();
            let source = format!("{:?}", status).to_lowercase();
            if text.contains("certificate")
                || source.contains("unknownissuer")
                || source.contains("certificate")
            {
                return ApiError::local(ErrorKind::CertificateNotTrusted, status.message());
            }
            if status.code() == Code::Unavailable && details.localized_message().is_none() {
                return ApiError::local(ErrorKind::Unreachable, status.message());
            }
        }
        let fields = details
            .bad_request()
            .map(|b| {
                b.field_violations
                    .iter()
                    .map(|v| FieldError {
                        field: v.field.clone(),
                        en: v.description.clone(),
                        zh: v.localized_message.as_ref().map(|m| m.message.clone()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let info = details.error_info();
        let time = |key: &str| {
            info.and_then(|i| i.metadata.get(key))
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        let conflict = info
            .filter(|i| i.reason == "STALE_VERSION")
            .and_then(|i| Some((i.metadata.get("changed_by")?.clone(), time("changed_at")?)));
        let locked_until = info
            .filter(|i| i.reason == "LOGIN_LOCKED")
            .and_then(|_| time("locked_until"));
        ApiError {
            code: Some(status.code()),
            kind: ErrorKind::Server,
            en: status.message().to_owned(),
            zh: details.localized_message().map(|m| m.message.clone()),
            fields,
            conflict,
            reread: false,
            locked_until,
        }
    }
}

/// The address of `server` as typed, with `https://` in front when it names no scheme
/// (`127.0.0.1:50051`) and in place of `http://`: the server speaks only TLS.
pub fn server_uri(server: &str) -> String {
    let server = server.trim();
    if let Some(rest) = server.strip_prefix("http://") {
        format!("https://{rest}")
    } else if server.contains("://") {
        server.to_owned()
    } else {
        format!("https://{server}")
    }
}

/// Opens a TLS channel to `server` (see [`server_uri`]), trusting only the CA in `ca_pem`.
pub async fn connect(server: &str, ca_pem: &[u8]) -> Result<Channel, ApiError> {
    let endpoint = Endpoint::from_shared(server_uri(server))
        .map_err(|e| ApiError::local(ErrorKind::Unreachable, e.to_string()))?;
    let host = endpoint.uri().host().unwrap_or("localhost").to_owned();
    let endpoint = endpoint
        .tls_config(
            ClientTlsConfig::new()
                .ca_certificate(Certificate::from_pem(ca_pem))
                .domain_name(host),
        )
        .map_err(|e| ApiError::local(ErrorKind::BadCaFile, e.to_string()))?
        .connect_timeout(std::time::Duration::from_secs(5))
        .timeout(std::time::Duration::from_secs(30));
    endpoint.connect().await.map_err(|e| {
        let chain = error_chain(&e);
        if chain.contains("certificate") || chain.contains("UnknownIssuer") {
            ApiError::local(ErrorKind::CertificateNotTrusted, chain)
        } else {
            ApiError::local(ErrorKind::Unreachable, chain)
        }
    })
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Adds `authorization: Bearer <token>` to every call.
#[derive(Clone, Debug)]
pub struct Bearer(MetadataValue<Ascii>);

impl Interceptor for Bearer {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, Status> {
        request
            .metadata_mut()
            .insert("authorization", self.0.clone());
        Ok(request)
    }
}

/// A logged-in connection: typed clients that send the session token.
#[derive(Clone, Debug)]
pub struct Api {
    channel: Channel,
    bearer: Bearer,
}

/// A client of `S` sending the token.
pub type Authed = InterceptedService<Channel, Bearer>;

impl Api {
    /// Clients for `token` over `channel`.
    pub fn new(channel: Channel, token: &str) -> Api {
        Api {
            channel,
            bearer: Bearer(format!("Bearer {token}").parse().expect("tokens are ASCII")),
        }
    }

    /// AuthService.
    pub fn auth(&self) -> AuthServiceClient<Authed> {
        AuthServiceClient::with_interceptor(self.channel.clone(), self.bearer.clone())
    }

    /// AdminService.
    pub fn admin(&self) -> AdminServiceClient<Authed> {
        AdminServiceClient::with_interceptor(self.channel.clone(), self.bearer.clone())
    }

    /// AuditService.
    pub fn audit(&self) -> AuditServiceClient<Authed> {
        AuditServiceClient::with_interceptor(self.channel.clone(), self.bearer.clone())
    }

    /// CustomerService (certificate scans travel in its messages).
    pub fn customers(&self) -> CustomerServiceClient<Authed> {
        CustomerServiceClient::with_interceptor(self.channel.clone(), self.bearer.clone())
            .max_decoding_message_size(16 * 1024 * 1024)
            .max_encoding_message_size(16 * 1024 * 1024)
    }

    /// DrugService (its messages may carry an Excel workbook).
    pub fn drugs(&self) -> DrugServiceClient<Authed> {
        DrugServiceClient::with_interceptor(self.channel.clone(), self.bearer.clone())
            .max_decoding_message_size(16 * 1024 * 1024)
            .max_encoding_message_size(16 * 1024 * 1024)
    }

    /// OrderService (an order detail carries every line, shipment and exception).
    pub fn orders(&self) -> OrderServiceClient<Authed> {
        OrderServiceClient::with_interceptor(self.channel.clone(), self.bearer.clone())
            .max_decoding_message_size(16 * 1024 * 1024)
    }

    /// FinanceService (a statement of every customer can be large: read as large as the
    /// server sends).
    pub fn finance(&self) -> FinanceServiceClient<Authed> {
        FinanceServiceClient::with_interceptor(self.channel.clone(), self.bearer.clone())
            .max_decoding_message_size(pharmacrm_shared::FINANCE_MAX_MESSAGE_BYTES)
    }

    /// ReportService (a report page holds at most 500 rows; an export streams its file in
    /// pieces of at most 256 KiB).
    pub fn reports(&self) -> ReportServiceClient<Authed> {
        ReportServiceClient::with_interceptor(self.channel.clone(), self.bearer.clone())
            .max_decoding_message_size(16 * 1024 * 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_edit_names_who_changed_the_record_and_the_system_when_no_user_did() {
        let _one_at_a_time = crate::i18n::lang_switch();
        let at = DateTime::parse_from_rfc3339("2026-12-03T02:05:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let stale = |by: &str| ApiError {
            code: Some(Code::Aborted),
            conflict: Some((by.to_owned(), at)),
            ..ApiError::local(ErrorKind::Server, "changed")
        };
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        assert!(stale("王敏").message().starts_with("该记录已被 王敏 于"));
        assert!(stale("").message().starts_with("该记录已被 系统 于"));
        crate::i18n::set_lang(crate::i18n::Lang::En);
        assert!(stale("").message().starts_with("Changed by the system at"));
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
    }

    /// In English the server's sentences read as sentences; in Chinese its Chinese.
    #[test]
    fn the_servers_english_starts_with_a_capital_in_the_ui() {
        let _one_at_a_time = crate::i18n::lang_switch();
        let refused = ApiError {
            zh: Some("部门不存在".into()),
            fields: vec![FieldError {
                field: "name".into(),
                en: "must not be blank".into(),
                zh: Some("不能为空".into()),
            }],
            ..ApiError::local(ErrorKind::Server, "department not found")
        };
        crate::i18n::set_lang(crate::i18n::Lang::En);
        assert_eq!(refused.message(), "Department not found");
        assert_eq!(refused.field("name").as_deref(), Some("Must not be blank"));
        // After the field's name it goes on the sentence: "Name: must not be blank".
        assert_eq!(
            refused.field_clause("name").as_deref(),
            Some("must not be blank")
        );
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        assert_eq!(refused.message(), "部门不存在");
        assert_eq!(refused.field("name").as_deref(), Some("不能为空"));
        assert_eq!(
            sentence("“北京协和医院” still has 1 open order"),
            "“北京协和医院” still has 1 open order"
        );
    }
}
