pub mod object;
pub mod plain;
pub mod query;
pub mod subscription;
