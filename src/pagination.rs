//! When to stop paging.
//!
//! Only the task endpoints page (100 tasks per page, from page 0). ClickUp documents `last_page`
//! on some task endpoints and not others, and its legacy docs say a short page is the last, so
//! paging stops at the first of: `last_page: true`, fewer than [`PAGE_SIZE`] tasks, an empty page.
//! A server that ignores `page` (the same page again) is caught instead of looping forever.

/// Tasks per page on ClickUp's task endpoints.
pub const PAGE_SIZE: usize = 100;

/// Whether the page just read is the last one.
pub fn is_last_page(tasks_on_page: usize, last_page: Option<bool>) -> bool {
    last_page == Some(true) || tasks_on_page < PAGE_SIZE
}

/// Whether page `page` repeats the page before it (same first task id): a server that ignores
/// `page` would otherwise make the connector loop forever.
pub fn repeats_previous(
    page: u32,
    first_id: Option<&str>,
    previous_first_id: Option<&str>,
) -> bool {
    page > 0 && first_id.is_some() && first_id == previous_first_id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_page_flag_stops() {
        assert!(is_last_page(100, Some(true)));
    }

    #[test]
    fn a_short_page_stops_even_without_the_flag() {
        assert!(is_last_page(99, None));
        assert!(is_last_page(37, Some(false)));
    }

    #[test]
    fn an_empty_page_stops() {
        assert!(is_last_page(0, None));
        assert!(is_last_page(0, Some(false)));
    }

    #[test]
    fn a_full_page_without_the_flag_continues() {
        assert!(!is_last_page(100, None));
        assert!(!is_last_page(100, Some(false)));
    }

    #[test]
    fn a_repeated_page_is_detected() {
        assert!(repeats_previous(3, Some("a"), Some("a")));
        assert!(!repeats_previous(3, Some("b"), Some("a")));
        assert!(!repeats_previous(0, Some("a"), Some("a")));
        assert!(!repeats_previous(2, None, None));
    }
}
