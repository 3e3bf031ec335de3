import { describeMatrix } from './helpers/scenario-case.js';

describeMatrix('masquerade binding (guest routed through the launcher: FORWARD)', { binding: 'masquerade' }, ['nftables', 'iptables']);
