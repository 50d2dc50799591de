//! The Porter (1980) stemmer, as the keyphrase literature's evaluation scripts apply it: the
//! published algorithm with the small extensions of NLTK's default `PorterStemmer` mode (a few
//! irregular forms, words of one or two letters left alone, `-ies`/`-ied` on four-letter words,
//! `-alli`, `-fulli`, `-logi`). It is used only to score keyphrases ([`super::eval`]); analysis
//! stems with Snowball.

/// Stems one lowercase word.
pub fn stem(word: &str) -> String {
    if let Some(s) = irregular(word) {
        return s.to_string();
    }
    let mut w: Vec<char> = word.chars().collect();
    if w.len() <= 2 {
        return word.to_string();
    }
    step1a(&mut w);
    step1b(&mut w);
    step1c(&mut w);
    step2(&mut w);
    step3(&mut w);
    step4(&mut w);
    step5a(&mut w);
    step5b(&mut w);
    w.into_iter().collect()
}

fn irregular(word: &str) -> Option<&'static str> {
    Some(match word {
        "sky" | "skies" => "sky",
        "dying" => "die",
        "lying" => "lie",
        "tying" => "tie",
        "news" => "news",
        "innings" | "inning" => "inning",
        "outings" | "outing" => "outing",
        "cannings" | "canning" => "canning",
        "howe" => "howe",
        "proceed" => "proceed",
        "exceed" => "exceed",
        "succeed" => "succeed",
        _ => return None,
    })
}

fn is_consonant(w: &[char], i: usize) -> bool {
    match w[i] {
        'a' | 'e' | 'i' | 'o' | 'u' => false,
        'y' => i == 0 || !is_consonant(w, i - 1),
        _ => true,
    }
}

/// m in `[C](VC)^m[V]`.
fn measure(w: &[char]) -> usize {
    (1..w.len())
        .filter(|&i| !is_consonant(w, i - 1) && is_consonant(w, i))
        .count()
}

fn contains_vowel(w: &[char]) -> bool {
    (0..w.len()).any(|i| !is_consonant(w, i))
}

fn ends_double_consonant(w: &[char]) -> bool {
    let n = w.len();
    n >= 2 && w[n - 1] == w[n - 2] && is_consonant(w, n - 1)
}

fn ends_cvc(w: &[char]) -> bool {
    let n = w.len();
    (n >= 3
        && is_consonant(w, n - 3)
        && !is_consonant(w, n - 2)
        && is_consonant(w, n - 1)
        && !matches!(w[n - 1], 'w' | 'x' | 'y'))
        || (n == 2 && !is_consonant(w, 0) && is_consonant(w, 1))
}

fn ends_with(w: &[char], suffix: &str) -> bool {
    let n = suffix.chars().count();
    w.len() >= n && w[w.len() - n..].iter().copied().eq(suffix.chars())
}

fn replace(w: &mut Vec<char>, suffix: &str, replacement: &str) {
    let n = suffix.chars().count();
    w.truncate(w.len() - n);
    w.extend(replacement.chars());
}

type Condition = fn(&[char]) -> bool;

fn positive(stem: &[char]) -> bool {
    measure(stem) > 0
}

fn above_one(stem: &[char]) -> bool {
    measure(stem) > 1
}

/// Applies the first rule whose suffix matches; if its condition fails, nothing changes.
fn apply(w: &mut Vec<char>, rules: &[(&str, &str, Condition)]) {
    for &(suffix, replacement, condition) in rules {
        if ends_with(w, suffix) {
            let n = suffix.chars().count();
            if condition(&w[..w.len() - n]) {
                replace(w, suffix, replacement);
            }
            return;
        }
    }
}

fn step1a(w: &mut Vec<char>) {
    if w.len() == 4 && ends_with(w, "ies") {
        replace(w, "ies", "ie");
        return;
    }
    let always: Condition = |_| true;
    apply(
        w,
        &[
            ("sses", "ss", always),
            ("ies", "i", always),
            ("ss", "ss", always),
            ("s", "", always),
        ],
    );
}

fn step1b(w: &mut Vec<char>) {
    if ends_with(w, "ied") {
        replace(w, "ied", if w.len() == 4 { "ie" } else { "i" });
        return;
    }
    if ends_with(w, "eed") {
        if positive(&w[..w.len() - 3]) {
            replace(w, "eed", "ee");
        }
        return;
    }
    let cut = if ends_with(w, "ed") && contains_vowel(&w[..w.len() - 2]) {
        2
    } else if ends_with(w, "ing") && contains_vowel(&w[..w.len() - 3]) {
        3
    } else {
        return;
    };
    w.truncate(w.len() - cut);
    if ends_with(w, "at") || ends_with(w, "bl") || ends_with(w, "iz") {
        w.push('e');
    } else if ends_double_consonant(w) {
        if !matches!(w[w.len() - 1], 'l' | 's' | 'z') {
            w.pop();
        }
    } else if measure(w) == 1 && ends_cvc(w) {
        w.push('e');
    }
}

fn step1c(w: &mut [char]) {
    let n = w.len();
    if n >= 1 && w[n - 1] == 'y' && n - 1 > 1 && is_consonant(w, n - 2) {
        w[n - 1] = 'i';
    }
}

fn step2(w: &mut Vec<char>) {
    if ends_with(w, "alli") && positive(&w[..w.len() - 4]) {
        replace(w, "alli", "al");
        step2(w);
        return;
    }
    if ends_with(w, "logi") {
        // No earlier rule ends in `-gi`. The `l` stays with the stem when measuring.
        if positive(&w[..w.len() - 3]) {
            replace(w, "logi", "log");
        }
        return;
    }
    apply(w, RULES2);
}

const RULES2: &[(&str, &str, Condition)] = &[
    ("ational", "ate", positive),
    ("tional", "tion", positive),
    ("enci", "ence", positive),
    ("anci", "ance", positive),
    ("izer", "ize", positive),
    ("bli", "ble", positive),
    ("alli", "al", positive),
    ("entli", "ent", positive),
    ("eli", "e", positive),
    ("ousli", "ous", positive),
    ("ization", "ize", positive),
    ("ation", "ate", positive),
    ("ator", "ate", positive),
    ("alism", "al", positive),
    ("iveness", "ive", positive),
    ("fulness", "ful", positive),
    ("ousness", "ous", positive),
    ("aliti", "al", positive),
    ("iviti", "ive", positive),
    ("biliti", "ble", positive),
    ("fulli", "ful", positive),
];

fn step3(w: &mut Vec<char>) {
    apply(
        w,
        &[
            ("icate", "ic", positive),
            ("ative", "", positive),
            ("alize", "al", positive),
            ("iciti", "ic", positive),
            ("ical", "ic", positive),
            ("ful", "", positive),
            ("ness", "", positive),
        ],
    );
}

fn step4(w: &mut Vec<char>) {
    let ion: Condition = |stem| measure(stem) > 1 && matches!(stem.last(), Some('s' | 't'));
    apply(
        w,
        &[
            ("al", "", above_one),
            ("ance", "", above_one),
            ("ence", "", above_one),
            ("er", "", above_one),
            ("ic", "", above_one),
            ("able", "", above_one),
            ("ible", "", above_one),
            ("ant", "", above_one),
            ("ement", "", above_one),
            ("ment", "", above_one),
            ("ent", "", above_one),
            ("ion", "", ion),
            ("ou", "", above_one),
            ("ism", "", above_one),
            ("ate", "", above_one),
            ("iti", "", above_one),
            ("ous", "", above_one),
            ("ive", "", above_one),
            ("ize", "", above_one),
        ],
    );
}

fn step5a(w: &mut Vec<char>) {
    if w.last() == Some(&'e') {
        let stem = &w[..w.len() - 1];
        let m = measure(stem);
        if m > 1 || (m == 1 && !ends_cvc(stem)) {
            w.pop();
        }
    }
}

fn step5b(w: &mut Vec<char>) {
    if ends_with(w, "ll") && measure(&w[..w.len() - 1]) > 1 {
        w.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn against_nltk() {
        // nltk.stem.porter.PorterStemmer().stem(w) for each w (NLTK 3.10).
        let cases = [
            ("caresses", "caress"),
            ("ponies", "poni"),
            ("ties", "tie"),
            ("cats", "cat"),
            ("feed", "feed"),
            ("agreed", "agre"),
            ("plastered", "plaster"),
            ("motoring", "motor"),
            ("sing", "sing"),
            ("conflated", "conflat"),
            ("troubled", "troubl"),
            ("sized", "size"),
            ("hopping", "hop"),
            ("falling", "fall"),
            ("hissing", "hiss"),
            ("failing", "fail"),
            ("filing", "file"),
            ("happy", "happi"),
            ("relational", "relat"),
            ("conditional", "condit"),
            ("rational", "ration"),
            ("valency", "valenc"),
            ("digitizer", "digit"),
            ("conformably", "conform"),
            ("radically", "radic"),
            ("differently", "differ"),
            ("vilely", "vile"),
            ("analogously", "analog"),
            ("vietnamization", "vietnam"),
            ("predication", "predic"),
            ("operator", "oper"),
            ("feudalism", "feudal"),
            ("decisiveness", "decis"),
            ("hopefulness", "hope"),
            ("callousness", "callous"),
            ("formality", "formal"),
            ("sensitivity", "sensit"),
            ("sensibility", "sensibl"),
            ("triplicate", "triplic"),
            ("formative", "form"),
            ("formalize", "formal"),
            ("electricity", "electr"),
            ("electrical", "electr"),
            ("hopeful", "hope"),
            ("goodness", "good"),
            ("revival", "reviv"),
            ("allowance", "allow"),
            ("inference", "infer"),
            ("airliner", "airlin"),
            ("adjustable", "adjust"),
            ("defensible", "defens"),
            ("irritant", "irrit"),
            ("replacement", "replac"),
            ("adjustment", "adjust"),
            ("dependent", "depend"),
            ("adoption", "adopt"),
            ("homologou", "homolog"),
            ("communism", "commun"),
            ("activate", "activ"),
            ("angulariti", "angular"),
            ("homologous", "homolog"),
            ("effective", "effect"),
            ("bowdlerize", "bowdler"),
            ("probate", "probat"),
            ("rate", "rate"),
            ("cease", "ceas"),
            ("controll", "control"),
            ("roll", "roll"),
            ("skies", "sky"),
            ("dying", "die"),
            ("news", "news"),
            ("cried", "cri"),
            ("died", "die"),
            ("spied", "spi"),
            ("generously", "gener"),
            ("geology", "geolog"),
            ("fully", "fulli"),
            ("hopefully", "hope"),
            ("military", "militari"),
            ("bases", "base"),
            ("russian", "russian"),
            ("lancement", "lancement"),
            ("fusée", "fusé"),
            ("spatiale", "spatial"),
            ("as", "as"),
            ("is", "is"),
            ("by", "by"),
            ("sly", "sli"),
            ("ay", "ay"),
            ("physically", "physic"),
            ("conventionally", "convent"),
        ];
        for (word, expected) in cases {
            assert_eq!(stem(word), expected, "{word}");
        }
    }
}
