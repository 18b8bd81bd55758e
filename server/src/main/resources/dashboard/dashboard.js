// The dashboard's only script: copy and download the one-time secret. Served from this origin
// (the Content-Security-Policy allows no inline script); the pages work without it.
document.addEventListener('DOMContentLoaded', function () {
  // A form that issues or changes something is sent once: a double click must not create two
  // tokens, or rotate twice and lose the first new secret.
  document.querySelectorAll('form[method="post"]').forEach(function (form) {
    form.addEventListener('submit', function () {
      setTimeout(function () {
        form.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
  var secret = document.getElementById('secret');
  var copy = document.getElementById('copy');
  var download = document.getElementById('download');
  if (!secret) {
    return;
  }
  if (copy) {
    copy.addEventListener('click', function () {
      navigator.clipboard.writeText(secret.textContent).then(function () { copy.textContent = 'Copied'; });
    });
  }
  if (download) {
    download.addEventListener('click', function () {
      var a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([secret.textContent + '\n'], { type: 'text/plain' }));
      a.download = download.dataset.filename;
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
    });
  }
});
