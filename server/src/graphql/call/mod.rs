pub mod object;
pub mod query;
