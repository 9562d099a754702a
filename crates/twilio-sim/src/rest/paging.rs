//! List paging as Twilio does it: `PageSize`, `Page`, `PageToken`, and the `*_page_uri` links.

use super::error::RestError;
use super::form::Form;

/// Twilio's default and largest page sizes.
const DEFAULT_PAGE_SIZE: u64 = 50;
const MAX_PAGE_SIZE: u64 = 1000;

/// Which slice of a list was asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct PageRequest {
    pub page: u32,
    pub size: u32,
    pub offset: usize,
}

/// The links and counters of one page.
#[derive(Clone, Debug, PartialEq)]
pub struct PageMeta {
    pub page: u32,
    pub page_size: u32,
    pub first_page_uri: String,
    pub next_page_uri: Option<String>,
    pub previous_page_uri: Option<String>,
    pub uri: String,
    pub start: u32,
    pub end: u32,
}

impl PageRequest {
    /// Reads `PageSize`, `Page` and `PageToken` (ours: `PT` + the offset).
    pub fn from_query(query: &Form) -> Result<PageRequest, RestError> {
        let size = query
            .number("PageSize", 1..=MAX_PAGE_SIZE)?
            .unwrap_or(DEFAULT_PAGE_SIZE) as u32;
        let page = query.number("Page", 0..=1_000_000)?.unwrap_or(0) as u32;
        let offset = match query.get("PageToken") {
            Some(token) => token
                .strip_prefix("PT")
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| {
                    RestError::bad(20001, format!("PageToken {token:?} is not valid"))
                })?,
            None => page as usize * size as usize,
        };
        Ok(PageRequest { page, size, offset })
    }

    /// The range of `total` items on this page.
    pub fn range(&self, total: usize) -> std::ops::Range<usize> {
        let start = self.offset.min(total);
        start..(start + self.size as usize).min(total)
    }

    /// The page's links, keeping `filters` in every one.
    pub fn meta(&self, path: &str, filters: &[(String, String)], total: usize) -> PageMeta {
        let link = |page: u32, offset: Option<usize>| {
            let mut pairs: Vec<(String, String)> = filters.to_vec();
            pairs.push(("PageSize".to_owned(), self.size.to_string()));
            pairs.push(("Page".to_owned(), page.to_string()));
            if let Some(offset) = offset {
                pairs.push(("PageToken".to_owned(), format!("PT{offset}")));
            }
            format!(
                "{path}?{}",
                serde_urlencoded::to_string(&pairs).unwrap_or_default()
            )
        };
        let range = self.range(total);
        let size = self.size as usize;
        let next = (range.end < total).then(|| link(self.page + 1, Some(range.end)));
        let previous = (self.offset > 0).then(|| {
            link(
                self.page.saturating_sub(1),
                Some(self.offset.saturating_sub(size)),
            )
        });
        PageMeta {
            page: self.page,
            page_size: self.size,
            first_page_uri: link(0, None),
            next_page_uri: next,
            previous_page_uri: previous,
            uri: link(self.page, (self.offset > 0).then_some(self.offset)),
            start: range.start as u32,
            end: range.end.saturating_sub(1).max(range.start) as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_page_has_no_next_link_and_tokens_carry_the_offset() {
        let q = PageRequest::from_query(&Form::parse(b"PageSize=2")).unwrap();
        let meta = q.meta("/x.json", &[], 3);
        let next = meta.next_page_uri.unwrap();
        assert!(next.contains("PageToken=PT2"), "{next}");
        let query = next.split_once('?').unwrap().1;
        let q2 = PageRequest::from_query(&Form::parse(query.as_bytes())).unwrap();
        assert_eq!(q2.range(3), 2..3);
        assert_eq!(q2.meta("/x.json", &[], 3).next_page_uri, None);
    }

    #[test]
    fn a_bad_page_size_is_a_400() {
        assert!(PageRequest::from_query(&Form::parse(b"PageSize=0")).is_err());
        assert!(PageRequest::from_query(&Form::parse(b"PageToken=zz")).is_err());
    }
}
