//! Where things are, and how the report shows them.

use std::path::{Path, PathBuf};

use super::plan::Settings;
use super::process::{self, Invocation};

/// Where things are, and what the run measures.
pub(crate) struct Ctx {
    pub(crate) settings: Settings,
    /// The cargo target directory of this run.
    target: PathBuf,
    /// `<target>/release`: this program, the measuring programs and `imctl`.
    release: PathBuf,
    /// `<target>/bench-scratch`: installed libraries, drivers, generated input files.
    pub(crate) scratch: PathBuf,
    /// Whether `/usr/bin/time -v` is available for peak memory.
    pub(crate) gnu_time: bool,
    /// Shuffles the contenders of each round.
    pub(crate) rng: fastrand::Rng,
}

impl Ctx {
    /// The context of a run from the release folder, creating the scratch folder.
    pub(crate) fn new(settings: Settings, release: PathBuf, seed: u64) -> Result<Ctx, String> {
        let target = release
            .parent()
            .map_or_else(|| release.clone(), Path::to_path_buf);
        let scratch = target.join("bench-scratch");
        std::fs::create_dir_all(&scratch)
            .map_err(|error| format!("cannot create {}: {error}", scratch.display()))?;
        Ok(Ctx {
            settings,
            target,
            release,
            scratch,
            gnu_time: process::has_gnu_time(),
            rng: fastrand::Rng::with_seed(seed),
        })
    }

    /// A path as the report shows it: under `target/` as in a default checkout, never an
    /// absolute path of this machine.
    pub(crate) fn show(&self, path: &Path) -> String {
        if let Ok(rest) = path.strip_prefix(&self.target) {
            return format!("target/{}", rest.display());
        }
        if path.is_absolute() {
            // A system program: its name is enough.
            return path
                .file_name()
                .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
        }
        path.display().to_string()
    }

    /// An invocation as a reader would type it.
    pub(crate) fn display(&self, invocation: &Invocation) -> String {
        self.display_with(invocation, &[], None)
    }

    /// An invocation as a reader would type it, leaving out the variables named in
    /// `exported` (set once by an `export` line) and run under `wrapper` if given.
    pub(crate) fn display_with(
        &self,
        invocation: &Invocation,
        exported: &[&str],
        wrapper: Option<&str>,
    ) -> String {
        let mut words: Vec<String> = invocation
            .envs
            .iter()
            .filter(|(name, _)| !exported.contains(&name.as_str()))
            .map(|(name, value)| format!("{name}={}", quote(&self.show_arg(value))))
            .collect();
        words.extend(wrapper.map(str::to_owned));
        words.push(self.show(&invocation.program));
        words.extend(invocation.args.iter().map(|arg| quote(&self.show_arg(arg))));
        words.join(" ")
    }

    fn show_arg(&self, arg: &str) -> String {
        let path = Path::new(arg);
        if path.is_absolute() {
            self.show(path)
        } else {
            arg.to_owned()
        }
    }

    /// A program built into the release folder.
    pub(crate) fn bin(&self, name: &str) -> PathBuf {
        self.release.join(name)
    }
}

/// Quotes a shell word when it needs it.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '-' | '_' | '.' | '/' | ':' | ',' | '=' | '@' | '+')
        });
    if plain {
        word.to_owned()
    } else {
        format!("'{word}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(target: &Path) -> Ctx {
        Ctx::new(Settings::quick(), target.join("release"), 7).unwrap()
    }

    #[test]
    fn commands_show_target_paths_never_this_machine() {
        let target = std::env::temp_dir().join(format!("im-bench-ctx-{}", std::process::id()));
        let ctx = ctx(&target);
        assert!(ctx.scratch.is_dir());
        let invocation = Invocation::new(ctx.bin("imctl"))
            .env("TIM_ENDPOINT", "http://127.0.0.1:PORT")
            .env("TIM_SECRET_KEY", "k")
            .args(["blocklist", "import", "--file"])
            .arg(ctx.scratch.join("pairs.csv").display().to_string())
            .args(["--name", "two words", "--empty", ""]);
        assert_eq!(
            ctx.display_with(&invocation, &["TIM_SECRET_KEY"], Some("/usr/bin/time -v")),
            "TIM_ENDPOINT=http://127.0.0.1:PORT /usr/bin/time -v target/release/imctl \
             blocklist import --file target/bench-scratch/pairs.csv --name 'two words' --empty ''"
        );
        assert_eq!(ctx.show(Path::new("/usr/bin/redis-server")), "redis-server");
        assert_eq!(ctx.show(Path::new("node")), "node");
        let _ = std::fs::remove_dir_all(&target);
    }
}
