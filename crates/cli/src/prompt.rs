//! Where passwords and answers come from: lines of stdin (for scripts) or the terminal, with no
//! echo for passwords. Never the command line, where they would show in `ps` and the history.

use std::io::BufRead;

use anyhow::Context;

/// Reads the next line of stdin, without its line ending; `what` names it in the error when
/// stdin has no more lines.
pub fn stdin_line(what: &str) -> anyhow::Result<String> {
    let mut line = String::new();
    let read =
        std::io::stdin().lock().read_line(&mut line).with_context(|| format!("cannot read the {what} from stdin"))?;
    if read == 0 {
        anyhow::bail!("expected the {what} on stdin, found the end of input");
    }
    Ok(strip_line_ending(line))
}

/// Asks for a secret on the terminal, without echo. `what` and `instead` (the option that
/// avoids the prompt) name it in the error when there is no terminal.
pub fn secret(prompt: &str, what: &str, instead: &str) -> anyhow::Result<String> {
    rpassword::prompt_password(prompt).map_err(|e| no_terminal(what, instead, &e))
}

/// Asks for a line of text on the terminal (the prompt goes to the terminal, not stdout).
pub fn line(prompt: &str, what: &str, instead: &str) -> anyhow::Result<String> {
    read_tty_line(prompt).map_err(|e| no_terminal(what, instead, &e))
}

fn no_terminal(what: &str, instead: &str, err: &std::io::Error) -> anyhow::Error {
    anyhow::anyhow!("cannot ask for the {what} on a terminal ({err}): use {instead}")
}

#[cfg(unix)]
fn read_tty_line(prompt: &str) -> std::io::Result<String> {
    use std::io::Write;
    let tty = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty")?;
    let mut writer = &tty;
    writer.write_all(prompt.as_bytes())?;
    writer.flush()?;
    let mut line = String::new();
    if std::io::BufReader::new(&tty).read_line(&mut line)? == 0 {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "end of input"));
    }
    Ok(strip_line_ending(line))
}

#[cfg(not(unix))]
fn read_tty_line(prompt: &str) -> std::io::Result<String> {
    eprint!("{prompt}");
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line)? == 0 {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "end of input"));
    }
    Ok(strip_line_ending(line))
}

/// Drops one trailing `\n` or `\r\n`, nothing else: spaces may be part of a password.
fn strip_line_ending(mut line: String) -> String {
    if line.ends_with('\n') {
        line.pop();
        if line.ends_with('\r') {
            line.pop();
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_line_ending_is_stripped() {
        assert_eq!(strip_line_ending("pw \n".into()), "pw ");
        assert_eq!(strip_line_ending("pw\r\n".into()), "pw");
        assert_eq!(strip_line_ending("pw".into()), "pw");
    }
}
