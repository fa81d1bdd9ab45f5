#!/bin/sh
# The throwaway test PKI of the oracle tests (EC P-256), written into the directory given as $1 (default: the
# current one). The names are the ones the reference cases use (certs/rootca.crt, certs/srv_root.crt, ...):
#   rootca, evilca          self-signed roots (evilca: trusted by nobody)
#   inter1, inter2          intermediates: rootca -> inter1 -> inter2
#   srv_root, srv_int1, srv_int2, srv_evil   servers for localhost, backend, upstream.test under each issuer
#   srv_iponly (IP:127.0.0.1), srv_other (other.test)   names that do not match
#   client_ok (rootca), client_evil (evilca)            client certificates
#   srv_int1.chain.crt, srv_int2.chain.crt              leaf + intermediates
#   selfsigned              a self-signed localhost certificate for plain `nginx -t` cases
set -e
cd "${1:-.}"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
for n in rootca evilca; do
  key "$n"
  openssl req -x509 -new -key "$n.key" -days 3650 -subj "/CN=$n" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out "$n.crt" 2>/dev/null
done
intermediate() { # name issuer
  key "$1"
  openssl req -new -key "$1.key" -subj "/CN=$1" -out "$1.csr" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 3650 -extfile ca.ext -out "$1.crt" 2>/dev/null
}
intermediate inter1 rootca
intermediate inter2 inter1
leaf() { # name issuer subjectAltName
  key "$1"
  openssl req -new -key "$1.key" -subj "/CN=$1" -out "$1.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nsubjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 825 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
}
names='DNS:localhost,DNS:backend,DNS:upstream.test'
leaf srv_root rootca "$names"
leaf srv_int1 inter1 "$names"
leaf srv_int2 inter2 "$names"
leaf srv_evil evilca "$names"
leaf srv_iponly rootca 'IP:127.0.0.1'
leaf srv_other rootca 'DNS:other.test'
leaf client_ok rootca 'DNS:client'
leaf client_evil evilca 'DNS:client'
cat srv_int1.crt inter1.crt > srv_int1.chain.crt
cat srv_int2.crt inter2.crt inter1.crt > srv_int2.chain.crt
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout selfsigned.key -out selfsigned.crt \
  -days 365 -subj /CN=localhost 2>/dev/null
rm -f ./*.csr ./*.srl ./*.ext
