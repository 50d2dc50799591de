//! The story space: how `similar`, `stories` and `compare` represent a news article by default.
//!
//! A row is two unit sub-vectors side by side, the body's and the title's, over the same
//! vocabulary (columns `0..V` and `V..2V`), scaled so that the row has unit length and
//!
//! ```text
//! cos(a, b) = (1 − s) · cos(body_a, body_b) + s · cos(title_a, title_b)      s = TITLE_SHARE
//! ```
//!
//! The title is an editor's summary of the event, so it is worth a share of its own whatever the
//! article's length: added to the body's counts instead, it would weigh a lot in a lead of 90
//! words and almost nothing in an article of 800. A document without a title stands for its own
//! title (its body fills both halves), so a missing title is no evidence and no penalty: two
//! untitled documents score the plain cosine of their bodies.
//!
//! The weighting of each half is the caller's; the story default is sublinear tf (`1 + ln c`, so
//! that one repeated word cannot dominate a short lead) with idf and L2 (see docs/similarity.md).

use crate::matrix::{CsrMatrix, Value};

/// The title's share of a story cosine. On roundups-a any share from 0.2 to 0.4 gives the same
/// top-1 and ARI within a point, and BASIL the same for all of them (docs/similarity.md); 0.3
/// is the middle of that plateau.
pub const TITLE_SHARE: f64 = 0.3;

/// The story rows of documents whose bodies and titles were weighted separately (same rows,
/// same columns; a title row may be empty). Rows come out with unit length (an empty body and
/// title give an empty row); `2 · body.n_cols()` columns, the title's after the body's.
pub fn story_rows<V: Value>(
    body: &CsrMatrix<V>,
    titles: &CsrMatrix<V>,
    title_share: f64,
) -> CsrMatrix<V> {
    assert_eq!(body.n_rows(), titles.n_rows(), "one title row per body row");
    assert_eq!(body.n_cols(), titles.n_cols(), "one vocabulary");
    let v = u32::try_from(body.n_cols()).expect("a vocabulary fits in u32 columns");
    let mut out = CsrMatrix::new(2 * body.n_cols());
    for r in 0..body.n_rows() {
        let (body_row, title_row) = (body.row(r), titles.row(r));
        let body_norm = norm(body_row.1);
        // A document without a title stands for its own title.
        let (title_row, title_norm) = match norm(title_row.1) {
            n if n > 0.0 => (title_row, n),
            _ => (body_row, body_norm),
        };
        // Each half scaled to length √share, so that the whole row has length 1 — unless the
        // body is empty, when the title alone is the row.
        let (body_scale, title_scale) = if body_norm > 0.0 {
            (
                (1.0 - title_share).sqrt() / body_norm,
                title_share.sqrt() / title_norm,
            )
        } else if title_norm > 0.0 {
            (0.0, 1.0 / title_norm)
        } else {
            (0.0, 0.0)
        };
        out.push_row(scaled(body_row, body_scale, 0).chain(scaled(title_row, title_scale, v)));
    }
    out
}

/// A row's entries times `scale` (none when it is 0), its columns moved by `offset`.
fn scaled<'a, V: Value>(
    (cols, vals): (&'a [u32], &'a [V]),
    scale: f64,
    offset: u32,
) -> impl Iterator<Item = (u32, V)> + 'a {
    let kept = if scale > 0.0 { cols.len() } else { 0 };
    cols[..kept]
        .iter()
        .zip(vals)
        .map(move |(&c, x)| (c + offset, V::from_f64(x.to_f64() * scale)))
}

fn norm<V: Value>(vals: &[V]) -> f64 {
    vals.iter()
        .map(|x| x.to_f64() * x.to_f64())
        .sum::<f64>()
        .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::similarity::{Score, score_pair};

    fn matrix(n_cols: usize, rows: &[&[(u32, f32)]]) -> CsrMatrix<f32> {
        let mut m = CsrMatrix::new(n_cols);
        for r in rows {
            m.push_row(r.iter().copied());
        }
        m
    }

    #[test]
    fn cosine_is_the_share_weighted_mean_of_body_and_title_cosines() {
        let body = matrix(
            4,
            &[&[(0, 1.0), (1, 2.0)], &[(1, 1.0), (2, 1.0)], &[(3, 1.0)]],
        );
        let titles = matrix(4, &[&[(2, 1.0)], &[(2, 3.0), (3, 1.0)], &[]]);
        let s = story_rows(&body, &titles, 0.3);
        let cos =
            |m: &CsrMatrix<f32>, a: usize, b: usize| score_pair(m.row(a), m.row(b), Score::Cosine);
        let want = 0.7 * cos(&body, 0, 1) + 0.3 * cos(&titles, 0, 1);
        assert!((score_pair(s.row(0), s.row(1), Score::Dot) - want).abs() < 1e-6);
        for r in 0..3 {
            assert!((score_pair(s.row(r), s.row(r), Score::Dot) - 1.0).abs() < 1e-6);
        }
        // Row 2 has no title: its body stands for it, so against row 1 the title half compares
        // row 1's title with row 2's body.
        let title_vs_body = score_pair(titles.row(1), body.row(2), Score::Cosine);
        let want = 0.7 * cos(&body, 1, 2) + 0.3 * title_vs_body;
        assert!((score_pair(s.row(1), s.row(2), Score::Dot) - want).abs() < 1e-6);
    }

    #[test]
    fn untitled_documents_score_their_bodies_cosine() {
        let body = matrix(3, &[&[(0, 1.0), (1, 1.0)], &[(1, 2.0), (2, 1.0)]]);
        let titles = matrix(3, &[&[], &[]]);
        let s = story_rows(&body, &titles, 0.3);
        let plain = score_pair(body.row(0), body.row(1), Score::Cosine);
        assert!((score_pair(s.row(0), s.row(1), Score::Dot) - plain).abs() < 1e-6);
    }

    #[test]
    fn a_title_without_a_body_is_the_whole_row() {
        let body = matrix(2, &[&[]]);
        let titles = matrix(2, &[&[(1, 2.0)]]);
        let s = story_rows(&body, &titles, 0.3);
        assert_eq!(s.row(0).0, [3]);
        assert!((s.row(0).1[0] - 1.0).abs() < 1e-6);
        let empty = story_rows(&matrix(2, &[&[]]), &matrix(2, &[&[]]), 0.3);
        assert!(empty.row(0).0.is_empty());
    }
}
