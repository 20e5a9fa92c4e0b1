// The demo software card: sign the application in the browser with a PKCS#12 file.
// Loaded only when the demo software card is enabled. The card file and its PIN never
// leave the browser; the form carries the RSA PKCS#1 v1.5 SHA-256 signature over the
// canonical bytes (data-signing-content) and the certificates, like the national
// authentication app returns them.
(function () {
  "use strict";

  function derOf(certificate) {
    return forge.util.encode64(forge.asn1.toDer(forge.pki.certificateToAsn1(certificate)).getBytes());
  }

  function readPkcs12(buffer, pin) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) binary += String.fromCharCode(bytes[i]);
    var p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(binary), pin);
    var keyOid = forge.pki.oids.pkcs8ShroudedKeyBag;
    var certOid = forge.pki.oids.certBag;
    var key = p12.getBags({ bagType: keyOid })[keyOid][0].key;
    var signer = null;
    var chain = [];
    p12.getBags({ bagType: certOid })[certOid].forEach(function (bag) {
      if (bag.cert.publicKey.n.equals(key.n)) signer = bag.cert;
      else chain.push(bag.cert);
    });
    if (!signer) throw new Error("no certificate for the key");
    return { key: key, signer: signer, chain: chain };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-software-card]");
    if (!box || !window.forge) return;
    var section = box.closest("[data-signing-content]");
    var status = box.querySelector("[data-software-card-status]");
    box.hidden = false;
    box.querySelector("[data-software-card-sign]").addEventListener("click", function () {
      var file = document.getElementById("software-card-file").files[0];
      var pin = document.getElementById("software-card-pin").value;
      var fail = function () { status.textContent = status.getAttribute("data-failed-text"); };
      if (!file) { fail(); return; }
      var reader = new FileReader();
      reader.onload = function () {
        try {
          var card = readPkcs12(reader.result, pin);
          var digest = forge.md.sha256.create();
          digest.update(forge.util.decode64(section.getAttribute("data-signing-content")));
          box.querySelector('[name="signature_value"]').value = forge.util.encode64(card.key.sign(digest));
          box.querySelector('[name="signature_certificate"]').value = derOf(card.signer);
          box.querySelector('[name="signature_chain"]').value = card.chain.map(derOf).join(",");
          status.textContent = status.getAttribute("data-signed-text");
        } catch (error) {
          fail();
        }
      };
      reader.onerror = fail;
      reader.readAsArrayBuffer(file);
    });
  });
})();
