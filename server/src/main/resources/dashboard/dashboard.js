// The dashboard's only script: copy and download the one-time secret. Served from this origin
// (the Content-Security-Policy allows no inline script); the pages work without it.
document.addEventListener('DOMContentLoaded', function () {
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
      URL.revokeObjectURL(a.href);
    });
  }
});
