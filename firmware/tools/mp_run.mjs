// Run a Python script under the WebAssembly MicroPython, with extra files in its file system.
// usage: node mp_run.mjs [DEST=SRC ...] SCRIPT
//   DEST is a path inside MicroPython (e.g. /fw/kitproto.py), SRC a file on this machine.
// /stubs and /fw are put first on sys.path. Exit status 1 if the script raised.
import { readFileSync } from "node:fs";
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript/micropython.mjs";

const args = process.argv.slice(2);
const script = args.pop();
let out = "";
const mp = await loadMicroPython({ heapsize: 512 * 1024, stdout: (line) => { out += line + "\n"; } });
for (const d of ["/stubs", "/fw"]) mp.FS.mkdir(d);
for (const pair of args) {
  const [dest, src] = pair.split("=");
  mp.FS.writeFile(dest, readFileSync(src));
}
let status = 0;
try {
  mp.runPython("import sys\nsys.path.insert(0, '/fw')\nsys.path.insert(0, '/stubs')\n");
  mp.runPython(readFileSync(script, "utf8"));
} catch (e) {
  out += "ERROR " + e.message + "\n";
  status = 1;
}
process.stdout.write(out);
process.exit(status);
