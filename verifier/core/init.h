// The process-global state of the libraries the verifier uses, set up in this one place.
//
// Contract: init_libraries() initialises, once per process, OpenSSL (OPENSSL_init_crypto, with
// its error strings), libxml2 (xmlInitParser, its generic error output silenced: parse errors
// become rim.malformed, not text on stderr) and xmlsec with its OpenSSL back end (its error
// output silenced too). It is idempotent and thread-safe (std::call_once): every caller, on any
// thread, returns only after the one initialisation finished. It returns whether xmlsec came
// up; a caller that needs xmlsec reports its own error when it did not. The library never tears
// this state down (another thread may still be verifying), so a program that embeds the
// verifier may call it at start-up, and every part of the verifier that needs it calls it
// before use (rim/swid_rim.cpp, rim/xmldsig.cpp).
#pragma once

namespace aa {

bool init_libraries();

}  // namespace aa
