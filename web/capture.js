/* web/capture.js - the capture page's logic (web/capture.html).
 *
 * 1. The token is the last part of the address (/capture/<token>).
 *    GET ../v2/capture/<token> answers the session's challenge: prompts
 *    with their times (seconds from the start of the recording) and the
 *    recording's duration. A link that is invalid, expired, used or out
 *    of attempts gets its own message.
 * 2. Start: ask for the location (refusing it is fine: location null),
 *    then for the camera and microphone (no echo cancellation, noise
 *    suppression or gain control: the server listens to the voice), and
 *    record them with MediaRecorder (webm) while one prompt at a time is
 *    shown with a countdown. When each prompt was really shown is
 *    measured with performance.now() from the recorder's start event.
 * 3. POST ../v2/capture/<token> (multipart: video, meta) with an upload
 *    progress bar, then poll ../v2/capture/<token>/status every 500 ms
 *    until the analysis is done, and go to the redirectUrl it gives.
 *
 * Test hooks (also useful to assistive tools): body[data-state] is one of
 * loading, ready, starting, recording, uploading, processing, done,
 * error; #plan li carry data-kind, data-start, data-end (and
 * data-digits); #message carries data-key, the responseKey or the
 * page's own key of what went wrong.
 */
(function () {
  'use strict';

  var POLL_MS = 500;
  var POLL_FOR_MS = 60000;
  var LOCATION_WAIT_MS = 15000; /* for an unanswered location prompt */
  var MIME_TYPES = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm'];

  var $ = function (id) { return document.getElementById(id); };
  var ui = {
    intro: $('intro'), stage: $('stage'), preview: $('preview'), rec: $('rec'),
    promptBox: $('prompt-box'), step: $('step'), prompt: $('prompt'),
    count: $('count'), countBar: $('count-bar'),
    planBox: $('plan-box'), plan: $('plan'), duration: $('duration'),
    upload: $('upload'), progress: $('progress'), progressText: $('progress-text'),
    message: $('message'), messageTitle: $('message-title'), messageText: $('message-text'),
    messageKey: $('message-key'),
    start: $('start'), retry: $('retry'), cont: $('continue'), attempts: $('attempts')
  };

  /* What each failure tells the person, by the server's responseKey or
   * the page's own key. retry: the "Try again" button is offered. */
  var MESSAGES = {
    error_capture_link_invalid: ['This link is not valid',
      'Check that you opened the whole link you were sent, or ask for a new one.'],
    error_capture_link_expired: ['This link has expired',
      'Verification links work for a limited time. Ask for a new link to verify.'],
    error_capture_link_used: ['This link has already been used',
      'Each link can be used once. Ask for a new link if you need to verify again.'],
    error_capture_attempts_exhausted: ['No attempts left',
      'This link has been tried too many times. Ask for a new link to verify.'],
    error_video_too_large: ['The upload was refused',
      'The recording was too large to send. Please try again.', true],
    error_invalid_video_format: ['The upload was refused',
      'The recording could not be read. Please try again, or use an up-to-date browser.', true],
    error_invalid_capture_metadata: ['The upload was refused',
      'The recording arrived incomplete. Please try again.', true],
    error_empty_video: ['The upload was refused',
      'The recording was empty. Please try again.', true],
    camera_permission_denied: ['Camera and microphone are blocked',
      'This verification needs your camera and microphone. Allow them for this page in your ' +
      'browser\'s settings (often the icon next to the address), then try again.', true],
    camera_not_found: ['No camera found',
      'We could not find a camera and microphone on this device. Connect one, or open the link ' +
      'on a phone, then try again.', true],
    camera_busy: ['The camera is in use',
      'Another app is using your camera or microphone. Close it, then try again.', true],
    camera_failed: ['The camera could not be started',
      'Your camera or microphone could not be started. Please try again.', true],
    insecure_context: ['This page must be opened over a secure connection',
      'The browser only allows the camera on secure (https) pages. Open the link exactly as you ' +
      'were sent it.'],
    recorder_unsupported: ['This browser cannot record video',
      'Please open the link in an up-to-date Chrome, Firefox or Safari.'],
    recording_failed: ['The recording failed',
      'Something went wrong while recording. Please try again.', true],
    network_error: ['Could not reach the server',
      'Check your internet connection, then try again.', true],
    server_error: ['Something went wrong',
      'The server could not handle the request. Please try again in a moment.', true]
  };

  var token = null;
  var apiUrl = null;
  var session = null;     /* the data of GET /v2/capture/<token> */
  var stream = null;
  var recording = null;   /* {blob, mimeType, startedAt, prompts} */
  var locationPromise = null;

  function setState(s) { document.body.setAttribute('data-state', s); }

  function show(el, on) { el.hidden = !on; }

  function stopCamera() {
    if (stream) {
      stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
    }
    ui.preview.srcObject = null;
  }

  /* A failure: its message, its key in small text, and a way on (the
   * "Try again" button runs onRetry, by default a fresh start). */
  function fail(key, serverMessage, onRetry) {
    var m = MESSAGES[key];
    var retry = !!(m && m[2]);
    if (!m) {
      m = /^error_/.test(key || '') ? ['The upload was refused', serverMessage ||
        'The server did not accept the recording.', true] : MESSAGES.server_error;
      retry = true;
    }
    stopCamera();
    setState('error');
    show(ui.stage, false);
    show(ui.promptBox, false);
    show(ui.planBox, false);
    show(ui.upload, false);
    show(ui.start, false);
    show(ui.attempts, false);
    show(ui.intro, false);
    ui.message.className = 'message error';
    ui.message.setAttribute('data-key', key || 'server_error');
    ui.messageTitle.textContent = m[0];
    ui.messageText.textContent = m[1];
    ui.messageKey.textContent = key || '';
    show(ui.message, true);
    ui.retry.onclick = onRetry || function () { location.reload(); };
    show(ui.retry, retry);
    if (retry)
      ui.retry.focus();
  }

  function info(title, text, cls) {
    ui.message.className = 'message ' + (cls || '');
    ui.message.removeAttribute('data-key');
    ui.messageTitle.textContent = title;
    ui.messageText.textContent = text || '';
    ui.messageKey.textContent = '';
    show(ui.message, true);
  }

  /* JSON over XMLHttpRequest: calls back (status, body or null). */
  function request(method, url, body, onDone, onProgress) {
    var x = new XMLHttpRequest();
    x.open(method, url);
    x.timeout = method === 'POST' ? 300000 : 30000;
    x.setRequestHeader('Accept', 'application/json');
    if (onProgress)
      x.upload.onprogress = onProgress;
    x.onload = function () {
      var j = null;
      try { j = JSON.parse(x.responseText); } catch (e) { j = null; }
      onDone(x.status, j);
    };
    x.onerror = x.ontimeout = function () { onDone(0, null); };
    x.send(body);
  }

  function keyOf(status, j) {
    if (status === 0)
      return 'network_error';
    return (j && j.responseKey) || 'server_error';
  }

  function promptText(p) {
    if (p.text)
      return p.text;
    switch (p.kind) {
    case 'turn_left': return 'Turn your head to your left';
    case 'turn_right': return 'Turn your head to your right';
    case 'blink': return 'Blink your eyes';
    case 'digits': return 'Read these digits aloud: ' + String(p.digits || '').split('').join(' ');
    default: return p.kind;
    }
  }

  /* The prompt's visible text: the digits on their own line, large. */
  function renderPrompt(el, p) {
    el.textContent = '';
    if (p.kind === 'digits' && p.digits) {
      el.appendChild(document.createTextNode('Read these digits aloud:'));
      var d = document.createElement('span');
      d.className = 'digits';
      d.textContent = String(p.digits).split('').join(' ');
      el.appendChild(d);
    } else {
      el.textContent = promptText(p);
    }
  }

  function validSession(d) {
    if (!d || !Array.isArray(d.prompts) || d.prompts.length === 0 || !(d.duration > 0))
      return false;
    return d.prompts.every(function (p) {
      return p && typeof p.kind === 'string' && typeof p.start === 'number' &&
        typeof p.end === 'number' && p.end > p.start;
    });
  }

  /* ---- 1. the session ------------------------------------------------ */
  function load() {
    var m = /\/capture\/([A-Za-z0-9_-]{43})\/?$/.exec(location.pathname);
    if (!m) {
      fail('error_capture_link_invalid');
      return;
    }
    token = m[1];
    apiUrl = new URL('../v2/capture/' + token, location.href).href;
    request('GET', apiUrl, null, function (status, j) {
      if (status !== 200 || !j || j.status !== 'SUCCESS') {
        fail(keyOf(status, j), j && j.message);
        return;
      }
      if (!validSession(j.data)) {
        fail('server_error');
        return;
      }
      if (j.data.state && j.data.state !== 'pending') {
        fail('error_capture_link_used');
        return;
      }
      session = j.data;
      ready();
    });
  }

  function ready() {
    session.prompts.sort(function (a, b) { return a.start - b.start; });
    ui.plan.textContent = '';
    session.prompts.forEach(function (p) {
      var li = document.createElement('li');
      li.textContent = promptText(p);
      li.setAttribute('data-kind', p.kind);
      li.setAttribute('data-start', String(p.start));
      li.setAttribute('data-end', String(p.end));
      if (p.digits)
        li.setAttribute('data-digits', String(p.digits));
      ui.plan.appendChild(li);
    });
    ui.duration.textContent = String(Math.ceil(session.duration));
    ui.intro.textContent = 'We will record a short video of you following a few prompts, ' +
      'to check that it is really you, here and now.';
    if (typeof session.attemptsLeft === 'number') {
      ui.attempts.textContent = 'Attempts left: ' + session.attemptsLeft;
      show(ui.attempts, true);
    }
    show(ui.planBox, true);
    show(ui.start, true);
    ui.start.disabled = false;
    setState('ready');
  }

  /* ---- 2. permissions and recording ---------------------------------- */
  function askLocation() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) {
        resolve(null);
        return;
      }
      var done = false;
      var finish = function (v) { if (!done) { done = true; resolve(v); } };
      setTimeout(function () { finish(null); }, LOCATION_WAIT_MS);
      navigator.geolocation.getCurrentPosition(function (pos) {
        finish({ latitude: pos.coords.latitude, longitude: pos.coords.longitude,
          accuracy: pos.coords.accuracy });
      }, function () { finish(null); },
      { enableHighAccuracy: true, timeout: LOCATION_WAIT_MS, maximumAge: 60000 });
    });
  }

  function pickMimeType() {
    if (typeof MediaRecorder === 'undefined')
      return null;
    for (var i = 0; i < MIME_TYPES.length; i++)
      if (MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(MIME_TYPES[i]))
        return MIME_TYPES[i];
    return ''; /* the browser's own choice (Safari: mp4) */
  }

  function cameraKey(e) {
    switch (e && e.name) {
    case 'NotAllowedError': case 'PermissionDeniedError': case 'SecurityError':
      return 'camera_permission_denied';
    case 'NotFoundError': case 'DevicesNotFoundError': case 'OverconstrainedError':
      return 'camera_not_found';
    case 'NotReadableError': case 'TrackStartError': case 'AbortError':
      return 'camera_busy';
    default:
      return 'camera_failed';
    }
  }

  function start() {
    ui.start.disabled = true;
    show(ui.retry, false);
    show(ui.message, false);
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      fail('insecure_context');
      return;
    }
    var mimeType = pickMimeType();
    if (mimeType === null) {
      fail('recorder_unsupported');
      return;
    }
    setState('starting');
    ui.start.textContent = 'Starting\u2026';
    info('Getting ready', 'Allow your camera and microphone when your browser asks.');
    /* The location first, so that its prompt never covers the preview
     * during the recording; refused or unanswered means null. */
    locationPromise = askLocation();
    locationPromise.then(function () {
      return navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false,
          channelCount: 1 },
        video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } }
      });
    }).then(function (s) {
      stream = s;
      mark('capture-stream');
      record(mimeType);
    }, function (e) {
      fail(cameraKey(e));
    });
  }

  function record(mimeType) {
    var rec;
    try {
      rec = mimeType ? new MediaRecorder(stream, { mimeType: mimeType }) : new MediaRecorder(stream);
    } catch (e) {
      fail('recorder_unsupported');
      return;
    }
    var chunks = [];
    var t0 = 0;
    var startedAt = 0;
    var shown = [];       /* {kind, start, end} as really shown */
    var current = -1;     /* index into session.prompts, -1 between prompts */
    var timer = null;
    var stopped = false;

    ui.preview.srcObject = stream;
    var play = ui.preview.play();
    if (play && play.catch)
      play.catch(function () { /* muted autoplay; the preview is a courtesy */ });
    show(ui.planBox, false);
    show(ui.start, false);
    show(ui.attempts, false);
    show(ui.message, false);
    show(ui.stage, true);
    show(ui.promptBox, true);
    ui.intro.textContent = 'Keep your face inside the oval and follow the prompts.';
    ui.step.textContent = '';
    ui.prompt.textContent = 'Look at the camera';

    rec.ondataavailable = function (ev) {
      if (ev.data && ev.data.size > 0)
        chunks.push(ev.data);
    };
    rec.onerror = function () {
      if (timer)
        clearTimeout(timer);
      stopped = true;
      fail('recording_failed');
    };
    rec.onstart = function () {
      t0 = performance.now();
      mark('capture-recording');
      startedAt = Date.now();
      setState('recording');
      show(ui.rec, true);
      tick();
    };
    rec.onstop = function () {
      stopCamera();
      if (document.body.getAttribute('data-state') === 'error')
        return;
      var type = rec.mimeType || mimeType || 'video/webm';
      recording = {
        blob: new Blob(chunks, { type: type }),
        mimeType: type,
        startedAt: startedAt,
        prompts: shown
      };
      upload();
    };

    function show_(i, t) {
      if (current >= 0)
        shown[shown.length - 1].end = round(t);
      current = i;
      if (i >= 0) {
        var p = session.prompts[i];
        shown.push({ kind: p.kind, start: round(t), end: round(t) });
        ui.step.textContent = 'Step ' + (i + 1) + ' of ' + session.prompts.length;
        renderPrompt(ui.prompt, p);
      } else {
        ui.step.textContent = '';
        ui.prompt.textContent = 'Look at the camera';
      }
    }

    function tick() {
      if (stopped)
        return;
      var t = (performance.now() - t0) / 1000;
      if (t >= session.duration) {
        show_(-1, t);
        stopped = true;
        ui.prompt.textContent = 'Done. Thank you!';
        ui.step.textContent = '';
        ui.count.textContent = '';
        ui.countBar.style.width = '0';
        show(ui.rec, false);
        rec.stop();
        return;
      }
      var want = -1;
      for (var i = 0; i < session.prompts.length; i++)
        if (t >= session.prompts[i].start && t < session.prompts[i].end) {
          want = i;
          break;
        }
      if (want !== current)
        show_(want, t);
      /* The countdown: of this prompt, or to the next one. */
      var from = 0, to = session.duration;
      if (want >= 0) {
        from = session.prompts[want].start;
        to = session.prompts[want].end;
      } else {
        for (var k = 0; k < session.prompts.length; k++)
          if (session.prompts[k].start > t) {
            to = session.prompts[k].start;
            break;
          }
        for (var j = session.prompts.length - 1; j >= 0; j--)
          if (session.prompts[j].end <= t) {
            from = session.prompts[j].end;
            break;
          }
      }
      var left = Math.max(0, to - t);
      ui.count.textContent = String(Math.ceil(left));
      ui.countBar.style.width = (to > from ? Math.min(100, 100 * left / (to - from)) : 0).toFixed(1) + '%';
      timer = setTimeout(tick, 50);
    }

    try {
      rec.start(1000);
    } catch (e) {
      fail('recording_failed');
    }
  }

  function round(t) { return Math.round(t * 1000) / 1000; }

  /* performance marks of the camera's start and the recorder's (for
   * timing the page; no effect on what is sent). */
  function mark(name) {
    try { performance.mark(name); } catch (e) { /* old browsers */ }
  }

  /* ---- 3. upload, analysis, redirect ---------------------------------- */
  function upload() {
    setState('uploading');
    show(ui.stage, false);
    show(ui.promptBox, false);
    show(ui.retry, false);
    show(ui.message, false);
    ui.intro.textContent = 'Sending your recording. Please keep this page open.';
    ui.progress.value = 0;
    ui.progressText.textContent = '0%';
    show(ui.upload, true);
    var waitLocation = Promise.race([locationPromise || Promise.resolve(null),
      new Promise(function (r) { setTimeout(function () { r(null); }, 2000); })]);
    waitLocation.then(function (loc) {
      var meta = {
        recordingStartedAt: recording.startedAt,
        prompts: recording.prompts,
        location: loc || null,
        mimeType: recording.mimeType,
        userAgent: navigator.userAgent
      };
      var form = new FormData();
      var ext = /mp4/.test(recording.mimeType) ? 'mp4' : 'webm';
      form.append('video', recording.blob, 'capture.' + ext);
      form.append('meta', JSON.stringify(meta));
      request('POST', apiUrl, form, function (status, j) {
        show(ui.upload, false);
        if (status === 202 || (status === 200 && j && j.status === 'SUCCESS')) {
          ui.progress.value = 100;
          processing(j && j.data ? j.data.redirectUrl : '');
        } else if (status === 0) {
          /* Nothing arrived: the same recording can be sent again. */
          fail('network_error', null, upload);
        } else {
          fail(keyOf(status, j), j && j.message);
        }
      }, function (ev) {
        if (ev.lengthComputable && ev.total > 0) {
          var pc = Math.min(100, Math.round(100 * ev.loaded / ev.total));
          ui.progress.value = pc;
          ui.progressText.textContent = pc + '%';
        }
      });
    });
  }

  function safeUrl(u) {
    if (!u)
      return '';
    try {
      var p = new URL(u, location.href);
      return p.protocol === 'https:' || p.protocol === 'http:' ? p.href : '';
    } catch (e) {
      return '';
    }
  }

  function processing(firstRedirect) {
    setState('processing');
    ui.intro.textContent = '';
    info('Checking your recording', 'This usually takes a few seconds. Please keep this page open.');
    var until = Date.now() + POLL_FOR_MS;
    var poll = function () {
      request('GET', apiUrl + '/status', null, function (status, j) {
        var d = status === 200 && j && j.data;
        if (d && (d.state === 'done' || d.state === 'failed')) {
          finished(d, safeUrl(d.redirectUrl || firstRedirect));
        } else if (Date.now() > until) {
          setState('done');
          info('Recording received', 'Your recording is still being checked. You can close this ' +
            'page; the result will reach the service that sent you here.', 'done');
          var u = safeUrl(firstRedirect);
          if (u) {
            ui.cont.href = u;
            show(ui.cont, true);
          }
        } else {
          setTimeout(poll, POLL_MS);
        }
      });
    };
    setTimeout(poll, POLL_MS);
  }

  function finished(d, url) {
    setState('done');
    show(ui.attempts, false);
    if (d.state === 'done')
      info('Verification complete', url ? 'Thank you. Taking you back\u2026' :
        'Thank you. You can close this page.', 'done');
    else
      info('Verification could not be completed', url ? 'Taking you back\u2026' :
        'You can close this page.', 'error');
    if (url) {
      ui.cont.href = url;
      show(ui.cont, true);
      setTimeout(function () { location.replace(url); }, 1200);
    }
  }

  ui.start.addEventListener('click', start);
  load();
})();
