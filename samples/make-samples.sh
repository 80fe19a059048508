#!/usr/bin/env bash
# Rebuild the sample bundles with the OpenSSL CLI, the way an administrator with
# a private CA makes them: own root CA -> own intermediate CA -> *.backend.example.
# Usage: bash samples/make-samples.sh   (writes into samples/; needs openssl >= 3)
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=changeit

cat >"$work/ext.cnf" <<'CNF'
[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.backend.example, DNS:backend.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -quiet -out "$1"; }
key "$work/root.key"; key "$work/int.key"; key "$work/leaf.key"
openssl req -x509 -new -key "$work/root.key" -out "$work/root.pem" -days 7300 \
  -subj "/O=Contoso Sample/CN=Contoso Sample Root CA" -config "$work/ext.cnf" -extensions root
openssl req -new -key "$work/int.key" -out "$work/int.csr" -config "$work/ext.cnf" \
  -subj "/O=Contoso Sample/CN=Contoso Sample Intermediate CA"
openssl x509 -req -in "$work/int.csr" -CA "$work/root.pem" -CAkey "$work/root.key" -CAcreateserial \
  -days 5475 -extfile "$work/ext.cnf" -extensions intermediate -out "$work/int.pem" 2>/dev/null
openssl req -new -key "$work/leaf.key" -out "$work/leaf.csr" -config "$work/ext.cnf" \
  -subj "/O=Contoso Sample/CN=*.backend.example"
openssl x509 -req -in "$work/leaf.csr" -CA "$work/int.pem" -CAkey "$work/int.key" -CAcreateserial \
  -days 3650 -extfile "$work/ext.cnf" -extensions leaf -out "$work/leaf.pem" 2>/dev/null

cat "$work/leaf.pem" "$work/int.pem" "$work/root.pem" > fullchain.pem
cat "$work/int.pem" "$work/root.pem" > "$work/cas.pem"
# Modern PKCS#12 (OpenSSL 3 default: PBES2/AES-256, SHA-256 MAC), friendly name like Windows exports.
openssl pkcs12 -export -inkey "$work/leaf.key" -in "$work/leaf.pem" -certfile "$work/cas.pem" \
  -name "backend.example" -passout "pass:$pass" -out bundle.pfx
# Legacy PKCS#12 (RC2-40 / 3DES, SHA-1 MAC), as old Windows Server exports.
openssl pkcs12 -export -legacy -inkey "$work/leaf.key" -in "$work/leaf.pem" -certfile "$work/cas.pem" \
  -name "backend.example" -passout "pass:$pass" -out bundle-legacy.pfx
# PKCS#7 as crl2pkcs7 writes it (not strict DER), in DER and PEM.
openssl crl2pkcs7 -nocrl -certfile fullchain.pem -outform DER -out bundle.p7b
openssl crl2pkcs7 -nocrl -certfile fullchain.pem -out bundle-pem.p7b
# The backend's certificate alone, as a DER .cer.
openssl x509 -in "$work/leaf.pem" -outform DER -out leaf.cer
echo "samples written: bundle.pfx bundle-legacy.pfx fullchain.pem bundle.p7b bundle-pem.p7b leaf.cer"
