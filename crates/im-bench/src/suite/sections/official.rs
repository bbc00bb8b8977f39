//! The official Python and Node UserSig libraries (`tls-sig-api-v2`), installed into the
//! scratch folder with their drivers, for the UserSig section to measure side by side.

use std::path::Path;
use std::process::Stdio;

use crate::suite::ctx::Ctx;
use crate::suite::machine::command_line;
use crate::suite::process::{Invocation, path_str};
use crate::suite::setup::setup_command;

/// The drivers of the official libraries; written into the scratch folder at run time.
const PYTHON_DRIVER: &str = include_str!("../../../scripts/usersig.py");
const NODE_DRIVER: &str = include_str!("../../../scripts/usersig.js");

/// The official libraries, ready to run, or why not.
pub(crate) struct Libraries {
    pub(crate) python: Result<Invocation, String>,
    pub(crate) node: Result<Invocation, String>,
    /// The commands that install them by hand, for the report.
    pub(crate) python_setup: String,
    pub(crate) node_setup: String,
}

/// Installs the official Python and Node UserSig libraries into the scratch folder.
pub(crate) fn install(ctx: &Ctx) -> Libraries {
    let venv = ctx.scratch.join("py");
    let node_dir = ctx.scratch.join("node");
    let python_setup = format!(
        "python3 -m venv {0} && {0}/bin/python -m pip install tls-sig-api-v2",
        ctx.show(&venv)
    );
    let node_setup = format!(
        "npm install --prefix {} tls-sig-api-v2",
        ctx.show(&node_dir)
    );
    let python = install_python(ctx, &venv);
    if let Err(reason) = &python {
        println!("==> the official Python library cannot be used, going on without it: {reason}");
    }
    let node = install_node(ctx, &node_dir);
    if let Err(reason) = &node {
        println!("==> the official Node library cannot be used, going on without it: {reason}");
    }
    Libraries {
        python,
        node,
        python_setup,
        node_setup,
    }
}

fn install_python(ctx: &Ctx, venv: &Path) -> Result<Invocation, String> {
    let python = venv.join("bin").join("python");
    let log = ctx.scratch.join("install-python.log");
    let imports = || {
        std::process::Command::new(&python)
            .args(["-c", "import TLSSigAPIv2"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    if !imports() {
        println!(
            "==> installing the official Python library (tls-sig-api-v2) into {}",
            ctx.show(venv)
        );
        if !python.exists() {
            setup_command("python3", &["-m", "venv", &path_str(venv)], &log)?;
        }
        setup_command(
            &path_str(&python),
            &[
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--quiet",
                "tls-sig-api-v2",
            ],
            &log,
        )?;
        if !imports() {
            return Err("installed, but `import TLSSigAPIv2` fails".to_owned());
        }
    }
    let script = ctx.scratch.join("usersig.py");
    std::fs::write(&script, PYTHON_DRIVER)
        .map_err(|error| format!("cannot write {}: {error}", script.display()))?;
    Ok(Invocation::new(python).arg(path_str(&script)))
}

fn install_node(ctx: &Ctx, dir: &Path) -> Result<Invocation, String> {
    if command_line("node", &["--version"]) == "unknown" {
        return Err("node is not installed".to_owned());
    }
    let installed = dir.join("node_modules/tls-sig-api-v2/package.json");
    if !installed.exists() {
        println!(
            "==> installing the official Node library (tls-sig-api-v2) into {}",
            ctx.show(dir)
        );
        std::fs::create_dir_all(dir)
            .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
        setup_command(
            "npm",
            &[
                "install",
                "--prefix",
                &path_str(dir),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "tls-sig-api-v2",
            ],
            &ctx.scratch.join("install-node.log"),
        )?;
        if !installed.exists() {
            return Err("npm finished, but the package is not there".to_owned());
        }
    }
    let script = dir.join("usersig.js");
    std::fs::write(&script, NODE_DRIVER)
        .map_err(|error| format!("cannot write {}: {error}", script.display()))?;
    Ok(Invocation::new("node").arg(path_str(&script)))
}
