//! Reading the entry file and everything it imports, parsing each once.
//! Owns import resolution (paths relative to the importing file) and import cycles.

use std::path::{Component, Path, PathBuf};

use crate::collections::FastMap;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::syntax::{self, ast};

/// Files larger than this are refused rather than read into memory.
pub const MAX_FILE_BYTES: u64 = crate::read::MAX_PIPELINE_BYTES;

/// Where source text comes from: the file system, or memory in tests.
pub trait Loader {
    /// Reads a file as UTF-8 text.
    fn read(&self, path: &Path) -> Result<String, String>;
    /// A canonical identity for a path, so one file imported by two spellings loads once.
    fn canonical(&self, path: &Path) -> PathBuf;
    /// The `.dag` files under `dir`, relative to it (a few levels deep, a bounded number):
    /// what a missing import may have meant. None by default.
    fn dag_files(&self, _dir: &Path) -> Vec<PathBuf> {
        Vec::new()
    }
}

/// How deep and how many files [`FsLoader::dag_files`] looks at for a suggestion.
const SUGGEST_DEPTH: usize = 3;
const SUGGEST_FILES: usize = 2_000;

/// Reads from disk.
pub struct FsLoader;

impl Loader for FsLoader {
    /// Regular files only (never a FIFO or a device), at most [`MAX_FILE_BYTES`].
    fn read(&self, path: &Path) -> Result<String, String> {
        crate::read::read_text(path, MAX_FILE_BYTES).map_err(|e| e.to_string())
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path))
    }

    fn dag_files(&self, dir: &Path) -> Vec<PathBuf> {
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        let mut out = Vec::new();
        let mut stack = vec![(PathBuf::new(), 0)];
        let mut seen = 0;
        while let Some((rel, depth)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(dir.join(&rel)) else { continue };
            for e in entries.filter_map(Result::ok) {
                seen += 1;
                if seen > SUGGEST_FILES {
                    return out;
                }
                let (path, kind) = (rel.join(e.file_name()), e.file_type());
                if kind.as_ref().is_ok_and(|k| k.is_dir()) && depth + 1 < SUGGEST_DEPTH {
                    stack.push((path, depth + 1));
                } else if kind.is_ok_and(|k| k.is_file()) && path.extension().is_some_and(|x| x == "dag") {
                    out.push(path);
                }
            }
        }
        out.sort();
        out
    }
}

/// Lexically removes `.` and `a/..` so printed import paths stay readable.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The parsed modules of one compilation, in load order (entry first).
pub struct Loaded {
    pub modules: Vec<ast::Module>,
}

/// Import chains deeper than this are refused (a diagnostic at the import that goes deeper).
pub const MAX_IMPORT_DEPTH: usize = 1_000;

struct State<'a> {
    loader: &'a dyn Loader,
    sources: &'a mut SourceMap,
    diags: &'a mut Diagnostics,
    /// Every file loaded (or being loaded) by canonical path.
    index: FastMap<PathBuf, FileId>,
    /// Whether each file, by FileId, is on the current import chain.
    on_chain: Vec<bool>,
    modules: Vec<ast::Module>,
}

/// A file whose imports are being followed.
struct Frame {
    id: FileId,
    dir: PathBuf,
    imports: Vec<ast::Import>,
    next: usize,
}

/// Loads `entry` and, transitively, its imports. Files that fail to read or parse
/// contribute diagnostics and no items.
pub fn load(entry: &Path, loader: &dyn Loader, sources: &mut SourceMap, diags: &mut Diagnostics) -> Loaded {
    let mut st = State { loader, sources, diags, index: FastMap::default(), on_chain: Vec::new(), modules: Vec::new() };
    match loader.read(entry) {
        Ok(text) => {
            let id = st.add(entry.to_path_buf(), text);
            st.follow_imports(id);
        }
        Err(e) => st.diags.push(Diagnostic::error(Code::Io, format!("cannot read `{}`: {e}", entry.display()))),
    }
    Loaded { modules: st.modules }
}

impl State<'_> {
    fn add(&mut self, path: PathBuf, text: String) -> FileId {
        let canonical = self.loader.canonical(&path);
        let id = self.sources.add(SourceFile::new(path, text));
        self.index.entry(canonical).or_insert(id);
        self.on_chain.push(false);
        id
    }

    /// Parses `id`; its frame when it parsed (its module is then loaded).
    fn open(&mut self, id: FileId) -> Option<Frame> {
        let file = self.sources.get(id)?;
        let (path, parsed) = (file.path.clone(), syntax::parse(id, &file.text));
        let module = match parsed {
            Ok(m) => m,
            Err(errs) => {
                self.diags.extend(errs);
                return None;
            }
        };
        let imports = module
            .items
            .iter()
            .filter_map(|i| if let ast::Item::Import(imp) = i { Some(imp.clone()) } else { None })
            .collect();
        self.modules.push(module);
        self.on_chain[id.0 as usize] = true;
        Some(Frame { id, dir: path.parent().map(Path::to_path_buf).unwrap_or_default(), imports, next: 0 })
    }

    /// Follows imports depth first from `entry` with a worklist (a chain of thousands of
    /// files cannot overflow the stack); `chain` holds (file, span of the import that led to
    /// the next file) for cycle reports.
    fn follow_imports(&mut self, entry: FileId) {
        let mut frames: Vec<Frame> = self.open(entry).into_iter().collect();
        let mut chain: Vec<(FileId, Span)> = Vec::new();
        while let Some(top) = frames.last_mut() {
            let Some(imp) = top.imports.get(top.next).cloned() else {
                self.on_chain[top.id.0 as usize] = false;
                frames.pop();
                chain.pop();
                continue;
            };
            top.next += 1;
            let (id, target) = (top.id, normalize(&top.dir.join(&imp.path.value)));
            let canon = self.loader.canonical(&target);
            if let Some(&existing) = self.index.get(&canon) {
                if self.on_chain[existing.0 as usize] {
                    self.report_cycle(existing, id, &imp, &chain);
                }
                continue; // imported already: harmless
            }
            if frames.len() >= MAX_IMPORT_DEPTH {
                self.diags.push(
                    Diagnostic::error(
                        Code::MissingImport,
                        format!(
                            "cannot import `{}`: imports nest more than {MAX_IMPORT_DEPTH} files deep",
                            target.display()
                        ),
                    )
                    .label(imp.path.span, "imported here")
                    .help("import the files from a common file instead of each from the one before"),
                );
                continue;
            }
            match self.loader.read(&target) {
                Ok(text) => {
                    let child = self.add(target, text);
                    if let Some(frame) = self.open(child) {
                        chain.push((id, imp.span));
                        frames.push(frame);
                    }
                }
                Err(e) => {
                    let dir = self.sources.get(id).and_then(|f| f.path.parent()).map(Path::to_path_buf);
                    let found: Vec<String> = dir
                        .map(|d| self.loader.dag_files(&d))
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|p| p.to_str().map(|s| s.replace('\\', "/")))
                        .collect();
                    let near = crate::diagnostics::did_you_mean(&imp.path.value, found.iter().map(String::as_str));
                    let help = match near {
                        Some(n) => format!("did you mean `{n}`? the path is relative to the importing file's folder"),
                        None => "the path is relative to the importing file's folder".to_string(),
                    };
                    self.diags.push(
                        Diagnostic::error(Code::MissingImport, format!("cannot import `{}`: {e}", target.display()))
                            .label(imp.path.span, "imported here")
                            .help(help),
                    );
                }
            }
        }
    }

    fn report_cycle(&mut self, back_to: FileId, from: FileId, imp: &ast::Import, stack: &[(FileId, Span)]) {
        let name = |f: FileId, s: &SourceMap| s.get(f).map(|x| x.path.display().to_string()).unwrap_or_default();
        let start = stack.iter().position(|(f, _)| *f == back_to).unwrap_or(stack.len());
        let mut chain: Vec<String> = stack[start..].iter().map(|(f, _)| name(*f, self.sources)).collect();
        chain.push(name(from, self.sources));
        chain.push(name(back_to, self.sources));
        let mut d = Diagnostic::error(Code::ImportCycle, format!("import cycle: {}", chain.join(" -> ")))
            .label(imp.span, "this import closes the cycle");
        for (_, span) in &stack[start..] {
            d = d.label(*span, "imported here");
        }
        self.diags.push(d.help("move the shared items into a file that both import"));
    }
}
