// Run a Python script under the WebAssembly MicroPython, with extra files in its file system.
// usage: node mp_run.mjs [DEST=SRC ...] SCRIPT
//   DEST is a path inside MicroPython (e.g. /fw/kitproto.py), SRC a file on this machine.
// /stubs and /fw are put first on sys.path. Exit status 1 if the script raised.
// KIT_MP_HEAP sets MicroPython's heap in bytes (default 512 KB): the firmware tests run the
// scripts in a heap the size of a V1 micro:bit's.
import { readFileSync } from "node:fs";
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript/micropython.mjs";

const args = process.argv.slice(2);
const script = args.pop();
let out = "";
const heapsize = Number(process.env.KIT_MP_HEAP || 512 * 1024);
const mp = await loadMicroPython({ heapsize, stdout: (line) => { out += line + "\n"; } });
for (const d of ["/stubs", "/fw"]) mp.FS.mkdir(d);
for (const pair of args) {
  const [dest, src] = pair.split("=");
  mp.FS.writeFile(dest, readFileSync(src));
}
let status = 0;
try {
  mp.runPython("import sys\nsys.path.insert(0, '/fw')\nsys.path.insert(0, '/stubs')\n");
  // A line "#---" splits the script into phases, each run on its own: the garbage collector
  // of this MicroPython runs only between top-level calls, so it collects between phases.
  // "#--- 60" runs the phase after it 60 times.
  const parts = readFileSync(script, "utf8").split(/^#---(.*)$/m);
  for (let i = 0; i < parts.length; i += 2) {
    const times = i === 0 ? 1 : Number(parts[i - 1].trim() || 1);
    for (let n = 0; n < times; n++) {
      mp.runPython(parts[i]);
      mp.runPython("import gc\ngc.collect()");
    }
  }
} catch (e) {
  out += "ERROR " + e.message + "\n";
  status = 1;
}
process.stdout.write(out);
process.exit(status);
