// Security keys and passkeys (WebAuthn): the "Use your security key" and "Add this
// security key" buttons (templates/accounts/_security_key_button.html). The server's
// options are read from a JSON script element; the browser asks the key; its answer goes
// back in the form's hidden field by an ordinary form post (with the CSRF token), so the
// server answers with a page as for any form. Without JavaScript the form stays hidden
// and the page says a key needs JavaScript.

const toBytes = (base64url) => {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
};

const toBase64url = (buffer) => {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const descriptors = (list) => (list || []).map((d) => ({ ...d, id: toBytes(d.id) }));

const creationOptions = (options) => ({
  ...options,
  challenge: toBytes(options.challenge),
  user: { ...options.user, id: toBytes(options.user.id) },
  excludeCredentials: descriptors(options.excludeCredentials),
});

const requestOptions = (options) => ({
  ...options,
  challenge: toBytes(options.challenge),
  allowCredentials: descriptors(options.allowCredentials),
});

const answerOf = (credential) => {
  const response = credential.response;
  const answer = {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: { clientDataJSON: toBase64url(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    answer.response.attestationObject = toBase64url(response.attestationObject);
    if (response.getTransports) answer.response.transports = response.getTransports();
  } else {
    answer.response.authenticatorData = toBase64url(response.authenticatorData);
    answer.response.signature = toBase64url(response.signature);
    if (response.userHandle) answer.response.userHandle = toBase64url(response.userHandle);
  }
  return answer;
};

const FAILURES = {
  NotAllowedError:
    "Your security key was not used: the browser's request was cancelled or timed out. Try again.",
  InvalidStateError: "That security key is already registered to your account.",
  SecurityError:
    "This browser refused to use a security key at this address. Ask your administrator.",
};

const setUp = (form) => {
  const container = form.parentElement;
  const nojs = container.querySelector("[data-fd-key-nojs]");
  if (nojs) nojs.hidden = true;
  if (!window.PublicKeyCredential || !navigator.credentials) {
    container.querySelector("[data-fd-key-unsupported]").hidden = false;
    return;
  }
  const options = JSON.parse(document.getElementById(form.dataset.fdKeyOptions).textContent);
  const registering = form.dataset.fdSecurityKey === "register";
  const failure = form.querySelector("[data-fd-key-failure]");
  const failureText = form.querySelector("[data-fd-key-failure-text]");
  const button = form.querySelector("button[type=submit]");
  form.hidden = false;
  form.addEventListener("submit", async (event) => {
    if (form.elements.credential.value) return; // the answer, on its way
    event.preventDefault();
    button.disabled = true;
    failure.hidden = true;
    try {
      const credential = registering
        ? await navigator.credentials.create({ publicKey: creationOptions(options) })
        : await navigator.credentials.get({ publicKey: requestOptions(options) });
      form.elements.credential.value = JSON.stringify(answerOf(credential));
      form.submit();
    } catch (error) {
      failureText.textContent =
        FAILURES[error && error.name] || "Your security key could not be used. Try again.";
      failure.hidden = false;
      button.disabled = false;
    }
  });
};

document.querySelectorAll("form[data-fd-security-key]").forEach(setUp);
