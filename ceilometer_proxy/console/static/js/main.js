// The console's shell: sign-in, navigation and the hash routes.

import * as alarms from './alarms.js';
import * as api from './api.js';
import {clear, el, showError} from './dom.js';
import * as energy from './energy.js';
import * as events from './events.js';

const PAGES = {energy: 'page-energy', events: 'page-events', alarms: 'page-alarms'};

function signInForm(main, settings) {
  const keystone = settings.auth_mode === 'keystone';
  const fields = keystone
    ? [el('label', {}, 'Keystone token ',
          el('input', {id: 'signin-token', type: 'password', size: 40, required: true}))]
    : [el('label', {}, 'User ', el('input', {id: 'signin-user', required: true})),
       el('label', {}, 'Project ', el('input', {id: 'signin-project'})),
       el('label', {}, 'Roles ', el('input', {id: 'signin-roles', value: 'member',
                                              placeholder: 'member or admin'}))];
  const form = el('form', {id: 'signin', class: 'signin'},
    el('h2', {}, 'Sign in'),
    el('p', {class: 'muted'}, keystone
      ? 'The console reads the API with your token; it shows what the API shows you.'
      : 'This API trusts identity headers (noauth); the console sends these.'),
    fields,
    el('button', {id: 'signin-submit', type: 'submit'}, 'Sign in'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = (id) => form.querySelector('#' + id).value.trim();
    if (keystone) {
      api.signIn({token: value('signin-token'), roles: []});
    } else {
      api.signIn({user_id: value('signin-user'), project_id: value('signin-project'),
                  roles: value('signin-roles').split(',').map((r) => r.trim())
                    .filter(Boolean)});
    }
    start();
  });
  clear(main).append(form);
}

function whoami() {
  const who = api.identity();
  const box = clear(document.getElementById('whoami'));
  const signout = document.getElementById('signout');
  signout.hidden = !who;
  if (!who) {
    return;
  }
  box.textContent = who.token
    ? 'token …' + who.token.slice(-6)
    : who.user_id + (who.project_id ? ' @ ' + who.project_id : '') +
      (who.roles.length ? ' (' + who.roles.join(', ') + ')' : '');
}

// A hash part as text; one that is not valid percent-encoding (typed or
// cut short) is taken as it is rather than stopping the page.
function decoded(part) {
  try {
    return decodeURIComponent(part);
  } catch (ignored) {
    return part;
  }
}

function route() {
  const main = document.getElementById('main');
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decoded);
  const page = PAGES[parts[0]] ? parts[0] : 'energy';
  document.querySelectorAll('nav a').forEach((a) =>
    a.classList.toggle('current', a.id === 'nav-' + page));
  const root = el('section', {id: PAGES[page], class: 'page'});
  clear(main).append(root);
  showError('');
  if (page === 'energy') {
    energy.render(root);
  } else if (page === 'events' && parts[1] === 'lifecycle' && parts[2]) {
    events.renderLifecycle(root, parts.slice(2).join('/'));
  } else if (page === 'events' && parts[1]) {
    events.renderEvent(root, parts.slice(1).join('/'));
  } else if (page === 'events') {
    events.renderSearch(root);
  } else if (page === 'alarms' && parts[1]) {
    alarms.renderAlarm(root, parts.slice(1).join('/'));
  } else {
    alarms.renderList(root);
  }
}

function start() {
  const settings = api.getSettings();
  whoami();
  if (!api.identity()) {
    signInForm(document.getElementById('main'), settings);
    return;
  }
  route();
}

async function boot() {
  const settings = await api.loadSettings();
  document.title = settings.title + ' console';
  document.getElementById('title').textContent = settings.title;
  document.getElementById('mode').textContent = settings.mode === 'cascading'
    ? 'cascading: the whole cloud' : 'local';
  document.getElementById('signout').addEventListener('click', () => {
    api.signOut();
    start();
  });
  api.onMissingRegions((names) => {
    const box = document.getElementById('partial');
    box.textContent = 'Partial answer: regions ' + names + ' did not answer.';
    box.hidden = false;
  });
  window.addEventListener('hashchange', () => {
    document.getElementById('partial').hidden = true;
    if (api.identity()) {
      route();
    }
  });
  start();
}

boot();
