//! Everything the binary prints goes through here (the `println!`, `print!` and `eprintln!`
//! of `main.rs` are shadowed by macros that call these functions).
//!
//! - Human-readable output is passed through [`printable::text`]: control and bidirectional
//!   characters that came from a case, a bundle or a file system are shown escaped, so nothing
//!   printed can rewrite the screen (docs/SECURITY.md section 13.6). A line printed with
//!   `println!`/`eprintln!` is one line: a newline inside a value is shown as `\n`
//!   ([`printable::field`]), so a note cannot forge a line of its own.
//! - JSON output is printed exactly as serialised when standard output is not a terminal; on a
//!   terminal, DEL, C1 and bidirectional characters become `\uXXXX` escapes, which denote the
//!   same JSON value.
//! - A closed standard output (`scelle verify | head`) ends the command quietly with exit code
//!   [`EXIT_CLOSED_OUTPUT`] (141, as a shell reports a command ended by SIGPIPE); another write
//!   error ends it with exit code 3 and a message on standard error.

use scelle::format::printable;
use std::io::{IsTerminal, Write};

/// Exit code when standard output or standard error was closed by the reader (a pipe).
pub const EXIT_CLOSED_OUTPUT: i32 = 141;

fn write_or_exit(mut w: impl Write, bytes: &[u8]) {
    let r = w.write_all(bytes).and_then(|()| w.flush());
    if let Err(e) = r {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(EXIT_CLOSED_OUTPUT);
        }
        let _ = writeln!(
            std::io::stderr(),
            "scelle: error: cannot write the output: {e}"
        );
        std::process::exit(3);
    }
}

/// Human-readable text to standard output: newlines and tabs kept, other control and
/// bidirectional characters escaped.
pub fn out(s: &str) {
    write_or_exit(std::io::stdout().lock(), printable::text(s).as_bytes());
}

/// One human-readable line to standard output: every control and bidirectional character
/// escaped, newlines included, so that no value can start a line of its own.
#[allow(dead_code)]
pub fn out_line(s: &str) {
    let line = format!("{}\n", printable::field(s));
    write_or_exit(std::io::stdout().lock(), line.as_bytes());
}

/// One human-readable line to standard error, escaped as [`out_line`].
pub fn err_line(s: &str) {
    let line = format!("{}\n", printable::field(s));
    write_or_exit(std::io::stderr().lock(), line.as_bytes());
}

/// One line of JSON (a JSON Lines record) to standard output.
pub fn json_line(s: &str) {
    let mut line = if std::io::stdout().is_terminal() {
        printable::json(s).into_owned()
    } else {
        s.to_string()
    };
    line.push('\n');
    write_or_exit(std::io::stdout().lock(), line.as_bytes());
}
