/* The creatives page's upload (pages/creatives.py, web/media.py): a file picker in the page's
 * slot, each file sent in chunks with fetch to /media/uploads, resumed from the server's offset
 * after a failed chunk, with a progress bar; the finished upload bumps the page's store so its
 * table is read again. Dash cannot render a file input, and dcc.Upload would base64 the whole
 * file in the browser (it breaks around 100 MB).
 */
(function () {
  'use strict';
  var CHUNK = 8 * 1024 * 1024;
  var RETRIES = 5;
  var SLOT = 'creatives-file-slot';

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)_csrf_token=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : '';
  }

  function headers(extra) {
    var all = {'X-CSRFToken': csrf()};
    Object.keys(extra || {}).forEach(function (k) { all[k] = extra[k]; });
    return all;
  }

  function status(text, failed) {
    var box = document.getElementById('creatives-upload-status');
    if (box) {
      box.textContent = text;
      box.className = 'small mt-1' + (failed ? ' text-danger' : '');
    }
  }

  function progress(fraction) {
    var outer = document.getElementById('creatives-progress');
    var bar = document.getElementById('creatives-progress-bar');
    if (!outer || !bar) { return; }
    outer.classList.toggle('d-none', fraction === null);
    var percent = Math.round((fraction || 0) * 100);
    bar.style.width = percent + '%';
    bar.setAttribute('aria-valuenow', String(percent));
    bar.textContent = percent + '%';
  }

  function answer(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      return {status: response.status, body: body, offset: response.headers.get('Upload-Offset')};
    });
  }

  function message(result) {
    var error = result.body && result.body.error;
    return (error && error.message) || ('The upload failed (' + result.status + ').');
  }

  function sendFrom(location, file, offset, retries) {
    if (offset >= file.size) { return Promise.reject(new Error('nothing left to send')); }
    var end = Math.min(offset + CHUNK, file.size);
    return fetch(location, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: headers({
        'Content-Type': 'application/octet-stream',
        'Content-Range': 'bytes ' + offset + '-' + (end - 1) + '/' + file.size
      }),
      body: file.slice(offset, end)
    }).then(answer).then(function (result) {
      if (result.status === 201 || (result.status === 200 && result.body.data && result.body.data.asset_id)) {
        return result;
      }
      if (result.status === 200 || result.status === 409) {
        var next = Number(result.offset || (result.body.error && result.body.error.offset) || end);
        progress(next / file.size);
        return sendFrom(location, file, next, RETRIES);
      }
      throw new Error(message(result));
    }, function () {
      // A dropped connection: ask the server where it stands and go on from there.
      if (retries <= 0) { throw new Error('The connection dropped too often: try again.'); }
      return new Promise(function (resolve) { setTimeout(resolve, 1000); })
        .then(function () { return fetch(location, {credentials: 'same-origin'}); })
        .then(answer)
        .then(function (result) {
          return sendFrom(location, file, Number(result.offset || offset), retries - 1);
        });
    });
  }

  function uploadOne(file) {
    status('Uploading ' + file.name + '…');
    progress(0);
    var slot = document.getElementById(SLOT);
    var campaign = Number(slot && slot.getAttribute('data-campaign')) || null;
    return fetch('/media/uploads', {
      method: 'POST',
      credentials: 'same-origin',
      headers: headers({'Content-Type': 'application/json'}),
      body: JSON.stringify({filename: file.name, size: file.size, campaign_id: campaign})
    }).then(answer).then(function (result) {
      if (result.status !== 201) { throw new Error(message(result)); }
      return sendFrom('/media/uploads/' + result.body.data.id, file, 0, RETRIES);
    }).then(function (result) {
      progress(1);
      var data = result.body.data;
      status(data.created ? file.name + ' was added.' : file.name + ' was already in the library.');
    });
  }

  function uploadAll(files) {
    var chain = Promise.resolve();
    var failed = false;
    Array.prototype.forEach.call(files, function (file) {
      chain = chain.then(function () { return uploadOne(file); }).catch(function (error) {
        failed = true;
        status(file.name + ': ' + error.message, true);
      });
    });
    return chain.then(function () {
      progress(null);
      if (!failed) { status(files.length + ' file(s) uploaded.'); }
      if (window.dash_clientside && window.dash_clientside.set_props) {
        window.dash_clientside.set_props('creatives-uploaded', {data: Date.now()});
      }
    });
  }

  function mount() {
    var slot = document.getElementById(SLOT);
    if (!slot || slot.querySelector('input')) { return; }
    var input = document.createElement('input');
    input.type = 'file';
    input.id = 'creatives-file';
    input.multiple = true;
    input.accept = slot.getAttribute('data-accept') || '';
    input.className = 'form-control';
    input.setAttribute('aria-label', 'Choose images or videos to upload');
    input.addEventListener('change', function () {
      var files = input.files;
      if (files && files.length) {
        uploadAll(files).then(function () { input.value = ''; });
      }
    });
    slot.appendChild(input);
  }

  new MutationObserver(mount).observe(document.documentElement, {childList: true, subtree: true});
  window.kikiCreatives = {upload: uploadAll, chunk: CHUNK};
}());
