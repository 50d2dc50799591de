//! Tests of keyword extraction.

use super::*;

#[test]
fn elision_prefixes() {
    let fr = ["qu'", "l'", "d'"];
    assert_eq!(elision_len("l'ISS", &fr), 2);
    assert_eq!(elision_len("L’économie", &fr), 4);
    assert_eq!(elision_len("qu'il", &fr), 3);
    assert_eq!(elision_len("l'", &fr), 0);
    assert_eq!(elision_len("lundi", &fr), 0);
    assert_eq!(elision_len("aujourd'hui", &fr), 0);
}

#[test]
fn abbreviations_keep_the_full_word_length_factor() {
    let params = KeywordParams::default();
    for abbreviation in ["IBS", "NASA", "HIV-1", "ÉU"] {
        assert!(is_abbreviation(abbreviation), "{abbreviation}");
        assert_eq!(word_factor(abbreviation, &params), 1.0);
    }
    for word in ["A", "9", "Fed", "ibs", "x-RAY"] {
        assert!(!is_abbreviation(word), "{word}");
    }
    // A common short word keeps its penalty: (3/8)^1.5.
    assert!((word_factor("Fed", &params) - (3.0f64 / 8.0).powf(1.5)).abs() < 1e-12);
    assert_eq!(word_factor("government", &params), 1.0);
}

#[test]
fn phrase_links_tell_a_term_from_a_phrase() {
    let links = [
        phrase_link(PrefixId::Term(5), 7),
        phrase_link(PrefixId::Phrase(5), 7),
        phrase_link(PrefixId::Term(7), 5),
        phrase_link(PrefixId::Phrase(0), 0),
    ];
    for (i, a) in links.iter().enumerate() {
        assert!(links[i + 1..].iter().all(|b| a != b));
    }
}

#[test]
fn contiguous_containment() {
    assert!(contains(&[1, 2, 3], &[2, 3]));
    assert!(!contains(&[1, 2, 3], &[1, 3]));
    assert!(!contains(&[1], &[1, 2]));
}
