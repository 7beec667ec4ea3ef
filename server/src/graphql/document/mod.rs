//! Documents of a project: metadata only. The bytes are uploaded with
//! `POST /api/projects/{cup}/documents` and downloaded with `GET /api/documents/{id}`
//! (GraphQL stays JSON only); `removeDocument` removes one nothing uses yet.

pub mod mutation;
pub mod object;
