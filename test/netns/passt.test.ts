import { describeMatrix } from './helpers/scenario-case.js';

describeMatrix("passt binding (a relay process with the launcher's own sockets: INPUT/OUTPUT, by uid)", { binding: 'passt' }, ['nftables', 'iptables']);
