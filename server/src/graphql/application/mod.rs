pub mod object;
pub mod query;
pub mod subscription;
