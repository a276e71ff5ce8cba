//! report.md: the document as GitHub-flavoured Markdown, charts as PNG images that link to
//! their SVG.

use super::document::{Block, Document};

/// Table cells cannot hold pipes or line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(doc: &Document) -> String {
    let mut out = format!("# {}\n", doc.title);
    for block in &doc.blocks {
        out.push('\n');
        match block {
            Block::Heading { level, text, .. } => {
                out += &format!("{} {text}\n", "#".repeat(*level as usize));
            }
            Block::Paragraph(text) => {
                out += text;
                out.push('\n');
            }
            Block::List(items) => {
                for item in items {
                    out += &format!("- {item}\n");
                }
            }
            Block::Table { header, rows } => {
                let line = |cols: &[String]| {
                    let cols: Vec<String> = cols.iter().map(|c| cell(c)).collect();
                    format!("| {} |\n", cols.join(" | "))
                };
                out += &line(header);
                out += &format!("|{}\n", "---|".repeat(header.len()));
                for r in rows {
                    out += &line(r);
                }
            }
            Block::Figure { stem, alt } => {
                out += &format!("[![{alt}]({stem}.png)]({stem}.svg)\n");
            }
        }
    }
    out
}
