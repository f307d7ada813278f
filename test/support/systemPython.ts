// Loaded by .mocharc.cjs before any test: `python3` on the tests' PATH is the distribution's /usr/bin/python3 (with
// PyYAML, which Debian's ansible-core package depends on), the interpreter the scripts meet on Debian and Ubuntu hosts.
// A version manager's shim earlier on a developer's PATH is passed over: pyenv's runs a dozen shell scripts per call
// (~100 ms; the suite calls python3 a few hundred times) and may pick an interpreter the hosts do not have.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const SYSTEM_PYTHON3 = "/usr/bin/python3";

if (fs.existsSync(SYSTEM_PYTHON3)) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openstack-aio-python-"));
    fs.symlinkSync(fs.realpathSync(SYSTEM_PYTHON3), path.join(dir, "python3"));
    process.env.PATH = `${dir}${path.delimiter}${process.env.PATH ?? ""}`;
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
}
