import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()

// Single-key shortcuts (WCAG 2.1.4): off until the person turns them on with the page's
// [data-wa-shortcuts-toggle] checkbox; remembered in this browser. An element marked
// data-wa-shortcut="s" is chosen by pressing S: a radio is ticked and its form submitted,
// a link is followed. Keys typed into a field are never taken.
const toggle = document.querySelector('[data-wa-shortcuts-toggle]')
if (toggle) {
  const KEY = 'wraparound-shortcuts'
  toggle.checked = window.localStorage.getItem(KEY) === 'on'
  toggle.addEventListener('change', () => {
    window.localStorage.setItem(KEY, toggle.checked ? 'on' : 'off')
  })
  document.addEventListener('keydown', (event) => {
    if (!toggle.checked || event.ctrlKey || event.metaKey || event.altKey) return
    const target = event.target
    if (target.closest('input[type=text], textarea, select, [contenteditable]')) return
    const element = document.querySelector(`[data-wa-shortcut="${event.key.toLowerCase()}"]`)
    if (!element) return
    event.preventDefault()
    if (element.matches('input[type=radio]')) {
      element.checked = true
      element.form.requestSubmit()
    } else if (element.matches('a[href]')) {
      window.location.assign(element.href)
    }
  })
}
