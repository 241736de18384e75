//! One module per projection: how each event changes that projection's tables.

pub mod activities;
pub mod beneficiaries;
pub mod disbursements;
pub mod suggestions;
pub mod volunteers;
