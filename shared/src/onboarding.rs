//! Onboarding (issue 12): the rules of a request to act for an organisation and of an
//! invitation, shared by the browser's forms and the server.
//!
//! A request names an administration (IPA code) or a supplier (VAT number, with its
//! check digit: [`crate::VatNumber`]); a new supplier also gives its name and,
//! optionally, an address. The department rejects with a reason. Waiting requests are
//! reminded to the department after [`REQUEST_REMIND_AFTER_DAYS`] and expire after
//! [`REQUEST_EXPIRE_AFTER_DAYS`]; an invitation lives [`INVITATION_DAYS`] days and is
//! reminded to the invitee [`INVITATION_REMIND_DAYS_LEFT`] days before it expires.

use crate::{ParseError, Role};

/// Days a request waits before the department is reminded of it.
pub const REQUEST_REMIND_AFTER_DAYS: i64 = 5;
/// Days after which a request still waiting expires.
pub const REQUEST_EXPIRE_AFTER_DAYS: i64 = 30;
/// Days an invitation link stays valid.
pub const INVITATION_DAYS: i64 = 7;
/// Days before its expiry at which the invitee is reminded of an unused invitation.
pub const INVITATION_REMIND_DAYS_LEFT: i64 = 2;

/// The longest note of a request.
pub const MAX_NOTE: usize = 1000;
/// The shortest and longest reason of a rejection.
pub const MIN_REASON: usize = 5;
pub const MAX_REASON: usize = 1000;

/// Refuses control characters (NUL among them, which PostgreSQL does not store), but
/// line breaks and tabs in free text.
fn no_control(field: &'static str, text: &str, free_text: bool) -> Result<(), ParseError> {
    let bad = |c: char| c.is_control() && !(free_text && matches!(c, '\n' | '\r' | '\t'));
    if text.chars().any(bad) {
        return Err(ParseError::new(field, text, "contains control characters"));
    }
    Ok(())
}

/// A request's note: optional, at most [`MAX_NOTE`] characters, trimmed.
pub fn check_note(input: Option<&str>) -> Result<Option<String>, ParseError> {
    let Some(note) = input.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    no_control("note", note, true)?;
    if note.chars().count() > MAX_NOTE {
        return Err(ParseError::new(
            "note",
            note,
            format!("a note has at most {MAX_NOTE} characters"),
        ));
    }
    Ok(Some(note.to_owned()))
}

/// The reason of a rejection: mandatory, [`MIN_REASON`] to [`MAX_REASON`] characters.
pub fn check_reason(input: &str) -> Result<String, ParseError> {
    let reason = input.trim();
    no_control("reason", reason, true)?;
    let n = reason.chars().count();
    if n < MIN_REASON {
        return Err(ParseError::new(
            "reason",
            reason,
            format!("a rejection needs a reason of at least {MIN_REASON} characters"),
        ));
    }
    if n > MAX_REASON {
        return Err(ParseError::new(
            "reason",
            reason,
            format!("a reason has at most {MAX_REASON} characters"),
        ));
    }
    Ok(reason.to_owned())
}

/// A new supplier's name: 2 to 200 characters.
pub fn check_supplier_name(input: &str) -> Result<String, ParseError> {
    let name = input.trim();
    no_control("supplierName", name, false)?;
    let n = name.chars().count();
    if !(2..=200).contains(&n) {
        return Err(ParseError::new(
            "supplierName",
            name,
            "a supplier's name has 2 to 200 characters",
        ));
    }
    Ok(name.to_owned())
}

/// A verifier body's or department office's name: optional, at most 200 characters,
/// no control characters.
pub fn check_body_name(input: Option<&str>) -> Result<Option<String>, ParseError> {
    let Some(name) = input.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    no_control("bodyName", name, false)?;
    if name.chars().count() > 200 {
        return Err(ParseError::new(
            "bodyName",
            name,
            "a body's name has at most 200 characters",
        ));
    }
    Ok(Some(name.to_owned()))
}

/// The roles a person acting in `role` may invite colleagues to: their own
/// organisation's role; the department invites its own staff and verifiers.
pub fn invitable_roles(role: Role) -> &'static [Role] {
    match role {
        Role::Administration => &[Role::Administration],
        Role::Supplier => &[Role::Supplier],
        Role::Psn => &[Role::Psn],
        Role::Department => &[Role::Department, Role::Verifier],
        Role::Verifier | Role::Public => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::VatNumber;

    #[test]
    fn a_rejection_needs_a_reason() {
        assert!(check_reason("  no ").is_err());
        assert_eq!(
            check_reason(" Ente sconosciuto ").unwrap(),
            "Ente sconosciuto"
        );
        assert!(check_reason(&"x".repeat(MAX_REASON + 1)).is_err());
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_in_free_text_are_not() {
        assert!(check_note(Some("riga uno\nriga due")).is_ok());
        assert!(check_note(Some("nul \u{0} qui")).is_err());
        assert!(check_supplier_name("Nuvola\u{0} S.r.l.").is_err());
        assert!(check_body_name(Some("Ente\tdue")).is_err());
        assert_eq!(check_body_name(Some("  ")).unwrap(), None);
    }

    #[test]
    fn an_empty_note_is_none_and_a_long_one_is_refused() {
        assert_eq!(check_note(Some("   ")).unwrap(), None);
        assert_eq!(check_note(None).unwrap(), None);
        assert!(check_note(Some(&"x".repeat(MAX_NOTE + 1))).is_err());
    }

    #[test]
    fn a_supplier_is_registered_with_a_vat_number_whose_check_digit_holds() {
        assert!(VatNumber::parse("01234567897").is_ok());
        assert!(VatNumber::parse("01234567890").is_err());
        assert!(check_supplier_name("X").is_err());
    }

    #[test]
    fn a_referent_invites_to_its_own_role_and_the_department_invites_verifiers() {
        assert_eq!(
            invitable_roles(Role::Administration),
            &[Role::Administration]
        );
        assert!(invitable_roles(Role::Department).contains(&Role::Verifier));
        assert!(invitable_roles(Role::Verifier).is_empty());
    }
}
