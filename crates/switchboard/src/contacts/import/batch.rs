//! The rows of one batch, with no I/O: rows that share a phone merge as they arrive, so a
//! batch never writes one person twice; refused rows wait beside them to be reported.

use std::collections::HashMap;

use super::row::{Candidate, RowError};

/// Up to [`Batch::is_full`] rows read from the file, merged by phone.
#[derive(Debug, Default)]
pub struct Batch {
    pub rows: Vec<Candidate>,
    pub errors: Vec<RowError>,
    /// Rows read into this batch, refused and merged ones included.
    pub rows_read: u64,
    /// Rows merged into an earlier row of this batch.
    pub merged: u64,
    /// Where in the file the batch ends.
    pub bytes_read: u64,
    by_phone: HashMap<String, usize>,
    capacity: usize,
}

impl Batch {
    pub fn with_capacity(capacity: usize) -> Batch {
        Batch {
            capacity,
            rows: Vec::with_capacity(capacity),
            ..Batch::default()
        }
    }

    pub fn is_full(&self) -> bool {
        self.rows_read as usize >= self.capacity
    }

    /// Adds one row as read: a new contact, a merge into the row with one of its phones,
    /// or a refusal.
    pub fn push(&mut self, row: Result<Candidate, RowError>) {
        self.rows_read += 1;
        let row = match row {
            Ok(row) => row,
            Err(e) => return self.errors.push(e),
        };
        match row
            .phones
            .iter()
            .find_map(|p| self.by_phone.get(p).copied())
        {
            Some(i) => match self.rows[i].absorb(row) {
                Ok(()) => {
                    self.merged += 1;
                    for phone in &self.rows[i].phones {
                        self.by_phone.entry(phone.clone()).or_insert(i);
                    }
                }
                Err(e) => self.errors.push(e),
            },
            None => {
                let i = self.rows.len();
                for phone in &row.phones {
                    self.by_phone.insert(phone.clone(), i);
                }
                self.rows.push(row);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u64, phones: &[&str], first: &str) -> Candidate {
        Candidate {
            line,
            first_name: first.into(),
            phones: phones.iter().map(|p| p.to_string()).collect(),
            ..Candidate::default()
        }
    }

    #[test]
    fn rows_sharing_any_phone_merge_into_the_first_and_refusals_wait_beside_them() {
        let mut batch = Batch::with_capacity(4);
        batch.push(Ok(row(2, &["+14155550001"], "Ada")));
        batch.push(Ok(row(3, &["+14155550002", "+14155550001"], "Augusta")));
        batch.push(Err(RowError::new(4, Some("Phone"), "no phone number")));
        assert!(!batch.is_full());
        batch.push(Ok(row(5, &["+14155550002"], "")));
        assert!(batch.is_full());
        assert_eq!(batch.rows.len(), 1);
        assert_eq!(batch.rows[0].first_name, "Augusta");
        assert_eq!(batch.rows[0].phones, vec!["+14155550001", "+14155550002"]);
        assert_eq!((batch.rows_read, batch.merged), (4, 2));
        assert_eq!(batch.errors[0].line, 4);
    }
}
