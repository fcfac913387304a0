//! Links the `dagplan` executable at a fixed address on Linux with glibc (`-no-pie`).
//!
//! A position-independent executable is relocated by the loader at every start, and
//! chrono-tz's zone tables hold 36,701 pointers (each transition names its abbreviation), so
//! every command began by writing 1.1 MB of them: about 300 page faults and 2 ms of CPU, half
//! of what `dagplan --version` cost (485 faults, 4.2 ms; 189 and 2.1 ms at a fixed address)
//! and 4-6% of a 1,000-asset daily plan (benches/README.md, "Streaming plan writer"). The
//! executable's own address is then no longer randomized (the stack, heap and libraries
//! still are), as for Go's default Linux builds; the code is still compiled
//! position-independent. `DAGPLAN_PIE=1` at build time links a position-independent
//! executable as before, for packagers whose policy requires one.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=DAGPLAN_PIE");
    let target = |key: &str| std::env::var(key).unwrap_or_default();
    let glibc_linux = target("CARGO_CFG_TARGET_OS") == "linux" && target("CARGO_CFG_TARGET_ENV") == "gnu";
    let pie_asked = std::env::var_os("DAGPLAN_PIE").is_some_and(|v| !v.is_empty() && v != "0");
    if glibc_linux && !pie_asked {
        println!("cargo:rustc-link-arg-bin=dagplan=-no-pie");
    }
}
