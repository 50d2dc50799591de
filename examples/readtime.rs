fn main() {
    let t = std::time::Instant::now();
    let c = parallax::corpus::read_inputs(&[std::env::args().nth(1).unwrap().into()], &Default::default()).unwrap();
    eprintln!("read {} docs in {:?}", c.docs.len(), t.elapsed());
    let t = std::time::Instant::now();
    let a = parallax::analysis::Analyzer::new(&Default::default()).unwrap();
    let mut spans = Vec::new(); let mut n = 0;
    for d in &c.docs { a.spans_into(&d.text, &mut spans); n += spans.len(); }
    eprintln!("tokenize {} in {:?}", n, t.elapsed());
    let t = std::time::Instant::now();
    let (m, x) = parallax::vectorize::Vectorizer::default().fit_transform::<f32>(&c.docs).unwrap();
    eprintln!("fit_transform {} {} in {:?}", m.n_terms(), x.nnz(), t.elapsed());
    let t = std::time::Instant::now();
    let mut out = Vec::new(); x.write_matrix_market(&mut out).unwrap();
    eprintln!("mtx {} bytes in {:?}", out.len(), t.elapsed());
}
