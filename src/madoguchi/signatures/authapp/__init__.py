"""The national authentication app (デジタル認証アプリ) as a way for residents to sign.

The resident is sent to the Digital Agency's service, signs on their smartphone with the
signing certificate of their My Number card, and comes back; the server then fetches the
signature and the certificate and verifies them exactly as any other signature
(``signatures.verification``). See docs/signatures.md, "Signing with the national
authentication app".
"""
