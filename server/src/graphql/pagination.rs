//! Relay cursor pagination, shared by every connection: the size of a page and opaque
//! cursors, `base64url("<list>:<position>")`, so that a cursor of one list is refused by
//! another.

use base64::Engine;
use nuvola_shared::api::MAX_PAGE_SIZE;

use crate::graphql::error::{ApiError, ApiResult};

/// The page size when `first` is not given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// `first` checked: 0 to [`MAX_PAGE_SIZE`], [`DEFAULT_PAGE_SIZE`] when not given.
pub fn page_size(first: Option<i32>) -> ApiResult<u64> {
    let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
    match u64::try_from(first) {
        Ok(n) if first as usize <= MAX_PAGE_SIZE => Ok(n),
        _ => Err(ApiError::invalid(
            "first",
            format!("first must be between 0 and {MAX_PAGE_SIZE}, got {first}"),
        )),
    }
}

/// The cursor of `position` in the list named by `prefix` (e.g. `"application:"`).
pub fn encode_cursor(prefix: &str, position: impl std::fmt::Display) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{prefix}{position}"))
}

/// The position in a cursor of the list named by `prefix`, parsed by `parse`; anything
/// else is INVALID_INPUT on `after`.
pub fn decode_cursor<T>(
    prefix: &str,
    cursor: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> ApiResult<T> {
    let invalid = || ApiError::invalid("after", "after is not a cursor returned by this API");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix(prefix)
        .and_then(parse)
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_stay_within_bounds() {
        assert_eq!(page_size(None).unwrap(), 20);
        assert_eq!(page_size(Some(0)).unwrap(), 0);
        assert_eq!(page_size(Some(100)).unwrap(), 100);
        assert!(page_size(Some(101)).is_err());
        assert!(page_size(Some(-1)).is_err());
    }
}
