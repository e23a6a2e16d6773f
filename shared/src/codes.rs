//! The proto enums whose values the server stores as text codes (`order.status =
//! 'partially_shipped'`), both ways: the server reads and writes them, and the client reads
//! them where stored records reach it as they are (the audit log's before and after).

use crate::pb;

/// A proto enum whose values are stored in the database as text codes.
pub trait DbCode: Sized + Copy {
    /// The stored code; `None` for the "unspecified" value.
    fn code(self) -> Option<&'static str>;
    /// The value of a stored code (an unknown code reads as the enum's fallback).
    fn from_code(code: &str) -> Self;
    /// The proto number of a stored code.
    fn wire(code: &str) -> i32;
    /// The code of a proto number; `None` for unspecified or unknown numbers.
    fn code_of(value: i32) -> Option<&'static str>;
}

/// Implements [`DbCode`]: `db_codes!(pb::FollowupMethod, fallback Other { Visit => "visit", … })`.
macro_rules! db_codes {
    ($enum:ty, fallback $fallback:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        impl DbCode for $enum {
            fn code(self) -> Option<&'static str> {
                match self {
                    $(<$enum>::$variant => Some($code),)+
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }

            fn from_code(code: &str) -> Self {
                match code {
                    $($code => <$enum>::$variant,)+
                    _ => <$enum>::$fallback,
                }
            }

            fn wire(code: &str) -> i32 {
                Self::from_code(code) as i32
            }

            fn code_of(value: i32) -> Option<&'static str> {
                <$enum>::try_from(value).ok().and_then(|v| v.code())
            }
        }
    };
}

db_codes!(pb::DrugOrigin, fallback Unspecified {
    Agency => "agency",
    SelfProduced => "self_produced",
});

db_codes!(pb::PaymentMethod, fallback Unspecified {
    BankTransfer => "bank_transfer",
    AcceptanceBill => "acceptance_bill",
    Cash => "cash",
    Other => "other",
});

db_codes!(pb::InvoiceKind, fallback Unspecified {
    Special => "special",
    Ordinary => "ordinary",
});

db_codes!(pb::MovementKind, fallback Unspecified {
    Shipment => "shipment",
    Deduction => "deduction",
    Payment => "payment",
    Reversal => "reversal",
    WriteOff => "write_off",
    WriteOffReversal => "write_off_reversal",
});

db_codes!(pb::WriteOffReason, fallback Unspecified {
    BadDebt => "bad_debt",
    BankFee => "bank_fee",
    SmallBalance => "small_balance",
    Other => "other",
});

db_codes!(pb::BusinessKind, fallback Unspecified {
    Hospital => "hospital",
    Clinic => "clinic",
    Pharmacy => "pharmacy",
    Distributor => "distributor",
    Other => "other",
});

db_codes!(pb::FollowupMethod, fallback Other {
    Visit => "visit",
    Phone => "phone",
    Wechat => "wechat",
    Other => "other",
});

db_codes!(pb::CertificateKind, fallback Other {
    DrugTrade => "drug_trade",
    Business => "business",
    Gsp => "gsp",
    MedicalInstitution => "medical_institution",
    Other => "other",
});

db_codes!(pb::OrderStatus, fallback Unspecified {
    Pending => "pending",
    PartiallyShipped => "partially_shipped",
    Shipped => "shipped",
    Completed => "completed",
    Cancelled => "cancelled",
    AwaitingApproval => "awaiting_approval",
});

db_codes!(pb::DeliveryStatus, fallback Unspecified {
    InTransit => "in_transit",
    Delivered => "delivered",
    Lost => "lost",
});

db_codes!(pb::ExceptionKind, fallback Unspecified {
    Damaged => "damaged",
    Lost => "lost",
    Short => "short",
});

db_codes!(pb::ExceptionDecision, fallback Pending {
    Pending => "pending",
    Deduct => "deduct",
    Reship => "reship",
});
