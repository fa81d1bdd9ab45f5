// Preloaded into the language server by the security test: any attempt to start a process or open a
// network connection is recorded on stderr (and refused).
const cp = require('node:child_process');
const net = require('node:net');
const dgram = require('node:dgram');
const report = (what) => { process.stderr.write(`FORBIDDEN ${what}\n`); throw new Error('forbidden in this test: ' + what); };
for (const k of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) cp[k] = () => report('child_process.' + k);
const origConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const opts = args[0];
  // The IPC/stdio channel to the editor is not a network connection; anything with a host or port is.
  if (opts && typeof opts === 'object' && (opts.port !== undefined || opts.host !== undefined)) report('net.connect ' + JSON.stringify(opts));
  if (typeof opts === 'number') report('net.connect ' + opts);
  return origConnect.apply(this, args);
};
dgram.createSocket = () => report('dgram.createSocket');
