#!/usr/bin/env bash
# The OpenSSL CLI pipeline people script today: PFX -> PEM, split the PEM with awk,
# one `openssl x509 -outform der` per certificate.
# Usage: bash benchmarks/openssl_pipeline.sh INPUT OUT_DIR [PASSWORD_FILE]
# (a password file means INPUT is PKCS#12; otherwise it is PEM)
set -euo pipefail
input=$1
out=$2
mkdir -p "$out"
pem=$input
if [ $# -gt 2 ]; then
  openssl pkcs12 -in "$input" -nokeys -passin "file:$3" -out "$out/all.pem"
  pem=$out/all.pem
fi
awk -v dir="$out" '
  /-----BEGIN CERTIFICATE-----/ { n++; file = sprintf("%s/cert-%05d.pem", dir, n) }
  file { print > file }
  /-----END CERTIFICATE-----/ { close(file); file = "" }
' "$pem"
for f in "$out"/cert-*.pem; do
  openssl x509 -in "$f" -outform der -out "${f%.pem}.cer"
done
