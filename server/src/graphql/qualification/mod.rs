//! The national catalogue of qualified suppliers and offerings: public to read, kept by
//! the department.

pub mod mutation;
pub mod query;
