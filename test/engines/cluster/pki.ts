/**
 * The test cluster's keys and certificates, made with the openssl command (argv, never a shell):
 * one CA, the API server's serving certificate (valid for the addresses pods and the host use),
 * its client certificate towards the kubelets, and the service-account signing key pair.
 * EC P-256 keys: fast to make, accepted by every component.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Paths of the files {@link makePki} writes. */
export interface Pki {
  readonly caCert: string;
  readonly caKey: string;
  readonly apiserverCert: string;
  readonly apiserverKey: string;
  /** The API server's client certificate towards kubelets (group system:masters). */
  readonly kubeletClientCert: string;
  readonly kubeletClientKey: string;
  /** RSA: the service-account token signing key and its public half. */
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

function openssl(args: readonly string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function signed(dir: string, name: string, subject: string, ext: string, pki: { caCert: string; caKey: string }): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', subject]);
  openssl(['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-CAcreateserial', '-out', cert, '-days', '3', '-extfile', extFile]);
  return { cert, key };
}

/**
 * Writes a fresh PKI into `dir`.
 * @param serverAddresses IPs and DNS names the API server's certificate must be valid for.
 */
export function makePki(dir: string, serverAddresses: readonly string[]): Pki {
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKey, '-out', caCert, '-days', '3', '-subj', '/CN=vmi-network-filter-test-ca']);
  const ca = { caCert, caKey };
  const san = serverAddresses.map((a) => (/^[0-9.:]+$/.test(a) ? `IP:${a}` : `DNS:${a}`)).join(',');
  const server = signed(dir, 'apiserver', '/CN=kube-apiserver', `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`, ca);
  const client = signed(dir, 'apiserver-kubelet-client', '/O=system:masters/CN=kube-apiserver-kubelet-client', 'extendedKeyUsage=clientAuth\n', ca);
  const serviceAccountKey = join(dir, 'sa.key');
  const serviceAccountPub = join(dir, 'sa.pub');
  openssl(['genrsa', '-out', serviceAccountKey, '2048']);
  openssl(['rsa', '-in', serviceAccountKey, '-pubout', '-out', serviceAccountPub]);
  return {
    caCert,
    caKey,
    apiserverCert: server.cert,
    apiserverKey: server.key,
    kubeletClientCert: client.cert,
    kubeletClientKey: client.key,
    serviceAccountKey,
    serviceAccountPub,
  };
}
