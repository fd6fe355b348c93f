// A certificate authority and a serving certificate for the simulated API server, made at
// startup with Node's own crypto: ECDSA P-256 keys, and X.509 v3 certificates written as DER by
// the small encoder below (Node 20 can sign but has no API to build a certificate). No openssl
// binary and no extra package: the simulator starts the same way on every machine.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

export interface ServingCertificates {
  /** PEM of the CA certificate (goes into the kubeconfig as certificate-authority-data). */
  caPem: string;
  /** PEM of the server certificate (SAN 127.0.0.1, ::1, localhost). */
  certPem: string;
  /** PEM (PKCS#8) of the server certificate's private key. */
  keyPem: string;
}

// --- DER ---------------------------------------------------------------------------------------

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);
const set = (...c: Buffer[]): Buffer => tlv(0x31, ...c);
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
/** [n] EXPLICIT (constructed, context-specific). */
const explicit = (n: number, c: Buffer): Buffer => tlv(0xa0 | n, c);

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** A non-negative INTEGER from big-endian bytes (minimal, with a 0x00 pad if the top bit is set). */
function integer(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  let b = bytes.subarray(i);
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

/** A BIT STRING of named bits (bit 0 = most significant bit of the first byte), DER-minimal. */
function namedBits(bits: number[]): Buffer {
  const max = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(max / 8) + 1);
  for (const b of bits) bytes[Math.floor(b / 8)] |= 0x80 >> b % 8;
  const unused = 7 - (max % 8);
  return tlv(0x03, Buffer.from([unused]), bytes);
}

function utcTime(d: Date): Buffer {
  const p = (n: number): string => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

function name(cn: string, org?: string): Buffer {
  const rdns = [];
  if (org) rdns.push(set(seq(oid('2.5.4.10'), utf8(org))));
  rdns.push(set(seq(oid('2.5.4.3'), utf8(cn))));
  return seq(...rdns);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1). */
function keyId(pub: KeyObject): Buffer {
  const der = spki(pub);
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm, BIT STRING }: the BIT STRING is the last element.
  // For P-256 the uncompressed point is the last 65 bytes.
  return createHash('sha1').update(der.subarray(der.length - 65)).digest();
}

interface CertInput {
  subject: Buffer;
  issuer: Buffer;
  subjectKey: KeyObject;
  issuerKey: KeyObject;
  extensions: Buffer[];
  notBefore: Date;
  notAfter: Date;
}

function certificate(c: CertInput): Buffer {
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ECDSA_SHA256,
    c.issuer,
    seq(utcTime(c.notBefore), utcTime(c.notAfter)),
    c.subject,
    spki(c.subjectKey),
    explicit(3, seq(...c.extensions)),
  );
  const signature = sign('sha256', tbs, c.issuerKey); // DER-encoded ECDSA signature
  return seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.from([0]), signature));
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** A fresh CA and a serving certificate for 127.0.0.1 / ::1 / localhost, valid for a year. */
export function generateServingCertificates(commonName = 'breakglass-sim'): ServingCertificates {
  const now = Date.now();
  const notBefore = new Date(now - 3600_000);
  const notAfter = new Date(now + 365 * 86400_000);
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const server = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caName = name(`${commonName}-ca`, 'breakglass');
  const caKeyId = keyId(ca.publicKey);
  const caDer = certificate({
    subject: caName,
    issuer: caName,
    subjectKey: ca.publicKey,
    issuerKey: ca.privateKey,
    notBefore,
    notAfter,
    extensions: [
      extension('2.5.29.15', true, namedBits([0, 5, 6])), // keyUsage: digitalSignature, keyCertSign, cRLSign
      extension('2.5.29.19', true, seq(bool(true))), // basicConstraints: CA
      extension('2.5.29.14', false, octets(caKeyId)), // subjectKeyIdentifier
    ],
  });
  const san = seq(
    tlv(0x82, Buffer.from('localhost', 'ascii')), // dNSName
    tlv(0x87, Buffer.from([127, 0, 0, 1])), // iPAddress
    tlv(0x87, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
  );
  const certDer = certificate({
    subject: name('kube-apiserver'),
    issuer: caName,
    subjectKey: server.publicKey,
    issuerKey: ca.privateKey,
    notBefore,
    notAfter,
    extensions: [
      extension('2.5.29.15', true, namedBits([0])), // keyUsage: digitalSignature
      extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
      extension('2.5.29.19', true, seq()), // basicConstraints: not a CA
      extension('2.5.29.35', false, seq(tlv(0x80, caKeyId))), // authorityKeyIdentifier
      extension('2.5.29.17', false, san), // subjectAltName
    ],
  });
  return {
    caPem: pem('CERTIFICATE', caDer),
    certPem: pem('CERTIFICATE', certDer),
    keyPem: server.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
