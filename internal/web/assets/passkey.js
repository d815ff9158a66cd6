// Passkey ceremonies of the web space: the only script of the site. Buttons marked
// data-passkey="signin" or "add" are hidden until this script shows them.
"use strict";
(function () {
  function fromB64(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    return Uint8Array.from(atob(s), function (c) { return c.charCodeAt(0); }).buffer;
  }
  function toB64(buf) {
    var bytes = new Uint8Array(buf), s = "";
    for (var i = 0; i < bytes.length; i++) { s += String.fromCharCode(bytes[i]); }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: body
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) { throw new Error(j.error + (j.detail ? " " + j.detail : "")); }
        return j;
      });
    });
  }
  function credentialJSON(c) {
    var r = c.response, out = { id: c.id, rawId: toB64(c.rawId), type: c.type, response: { clientDataJSON: toB64(r.clientDataJSON) } };
    if (r.attestationObject) { out.response.attestationObject = toB64(r.attestationObject); }
    if (r.authenticatorData) { out.response.authenticatorData = toB64(r.authenticatorData); }
    if (r.signature) { out.response.signature = toB64(r.signature); }
    if (r.userHandle) { out.response.userHandle = toB64(r.userHandle); }
    if (c.authenticatorAttachment) { out.authenticatorAttachment = c.authenticatorAttachment; }
    out.clientExtensionResults = c.getClientExtensionResults ? c.getClientExtensionResults() : {};
    return out;
  }
  function list(items) {
    return (items || []).map(function (x) { x.id = fromB64(x.id); return x; });
  }
  function signIn(button, status) {
    var next = button.getAttribute("data-next") || "/";
    return post("/signin/passkey", "{}").then(function (c) {
      var pk = c.options.publicKey;
      pk.challenge = fromB64(pk.challenge);
      pk.allowCredentials = list(pk.allowCredentials);
      return navigator.credentials.get({ publicKey: pk }).then(function (cred) {
        return post("/signin/passkey/finish?ceremony=" + encodeURIComponent(c.ceremony) + "&next=" + encodeURIComponent(next),
          JSON.stringify(credentialJSON(cred)));
      });
    });
  }
  function add(button) {
    var name = document.getElementById("passkey-name");
    return post("/account/passkeys", "{}").then(function (c) {
      var pk = c.options.publicKey;
      pk.challenge = fromB64(pk.challenge);
      pk.user.id = fromB64(pk.user.id);
      pk.excludeCredentials = list(pk.excludeCredentials);
      return navigator.credentials.create({ publicKey: pk }).then(function (cred) {
        return post("/account/passkeys/finish?ceremony=" + encodeURIComponent(c.ceremony) +
          "&name=" + encodeURIComponent(name ? name.value : ""), JSON.stringify(credentialJSON(cred)));
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.PublicKeyCredential) { return; }
    document.querySelectorAll("[data-passkey]").forEach(function (button) {
      var status = document.getElementById(button.getAttribute("aria-describedby") || "passkey-status");
      button.closest("[hidden]") && button.closest("[hidden]").removeAttribute("hidden");
      button.hidden = false;
      button.addEventListener("click", function () {
        var run = button.getAttribute("data-passkey") === "add" ? add : signIn;
        if (status) { status.textContent = ""; }
        run(button, status).then(function (j) { window.location.assign(j.next); }, function (err) {
          if (status) { status.textContent = err.message; }
        });
      });
    });
  });
})();
