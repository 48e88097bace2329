/* KIKI Analytics: accessibility repairs of Dash 4.4's core components, made from outside.

   Upstream (plotly/dash, dcc 4.4.1), to report and then drop these lines:
   - dcc.Dropdown puts an <input class="dash-dropdown-focus-target" aria-hidden="true"
     tabindex="0"> in the tab order as a proxy for its button (tabindex="-1"): a focusable
     element hidden from screen readers (axe: aria-hidden-focus). The proxy is hidden by
     assets/kiki.css; here its button takes its place in the tab order.
   - dcc.DatePickerRange/Single put aria-expanded on their wrapper <div>, which has no role that
     allows it (axe: aria-allowed-attr). The picker opens a dialog, announced by aria-haspopup;
     the wrapper's aria-expanded goes (assets/kiki.css turns the caret on data-state instead).
   - Both open a Radix popover (role="dialog") without a name (axe: aria-dialog-name): it is
     named after the control's <label>. The date picker's year field has no label either.
   - dcc.Dropdown's options are <label role="option"> around a focusable checkbox or radio, in a
     role="listbox" without a name (axe: nested-interactive, aria-allowed-role,
     aria-input-field-name). The native inputs, each named by its label, are what keyboard focus
     moves through: the listbox and option roles go, leaving a list of checkboxes (or radios),
     and the button announces a dialog rather than a listbox.
   Upstream (plotly/dash, dash_table 7.4.1, DataTable):
   - its pager buttons hold only an icon (axe: button-name): they get aria-labels, and the page
     field a label;
   - its sort control is a <span> with a click handler, out of reach of the keyboard: it becomes
     a button (role, tabindex, Enter/Space), named after its column, and the header cell says
     how the table is sorted (aria-sort).
   React sets these attributes once (their props are constant, or change only as the picker
   opens and closes), so a MutationObserver repairs each element when it appears or changes. */
(function () {
    if (window.kikiA11y || !window.MutationObserver) { return; }
    window.kikiA11y = true;
    let queued = false;

    function repair() {
        queued = false;
        document.querySelectorAll('button.dash-dropdown[tabindex="-1"]').forEach(function (button) {
            if (!button.disabled) { button.setAttribute('tabindex', '0'); }
        });
        document.querySelectorAll('.dash-datepicker-input-wrapper[aria-expanded]').forEach(
            function (wrapper) { wrapper.removeAttribute('aria-expanded'); }
        );
        document.querySelectorAll('button.dash-dropdown[aria-haspopup="listbox"]').forEach(
            function (button) { button.setAttribute('aria-haspopup', 'dialog'); }
        );
        document.querySelectorAll('.dash-options-list[role="listbox"]').forEach(function (list) {
            list.removeAttribute('role');
        });
        document.querySelectorAll(
            '.dash-options-list-option[role="option"], .dash-options-list-option[aria-selected]'
        ).forEach(
            function (option) {
                option.removeAttribute('role');
                option.removeAttribute('aria-selected');
            }
        );
        document.querySelectorAll('[role="dialog"]:not([aria-label]):not([aria-labelledby])')
            .forEach(nameDialog);
        document.querySelectorAll('.dash-datepicker-controls input:not([aria-label])').forEach(
            function (input) { input.setAttribute('aria-label', 'Year'); }
        );
        repairTables();
    }

    const PAGER = {
        'first-page': 'First page', 'previous-page': 'Previous page',
        'next-page': 'Next page', 'last-page': 'Last page',
    };
    const SORTED = { 'sort-up': 'ascending', 'sort-down': 'descending', 'sort': 'none' };

    function repairTables() {
        document.querySelectorAll('.previous-next-container button:not([aria-label])').forEach(
            function (button) {
                const name = Object.keys(PAGER).find(function (c) { return button.classList.contains(c); });
                if (name) { button.setAttribute('aria-label', PAGER[name]); }
            }
        );
        document.querySelectorAll('.previous-next-container input.current-page:not([aria-label])')
            .forEach(function (input) { input.setAttribute('aria-label', 'Page number'); });
        document.querySelectorAll('th .column-header--sort').forEach(function (control) {
            const header = control.closest('th');
            const title = header.querySelector('.column-header-name');
            const icon = control.querySelector('svg');
            const state = SORTED[icon && icon.getAttribute('data-icon')] || 'none';
            const label = 'Sort by ' + (title ? title.textContent.trim() : 'this column');
            if (control.getAttribute('role') !== 'button') {
                control.setAttribute('role', 'button');
                control.setAttribute('tabindex', '0');
            }
            if (control.getAttribute('aria-label') !== label) { control.setAttribute('aria-label', label); }
            if (header.getAttribute('aria-sort') !== state) { header.setAttribute('aria-sort', state); }
        });
    }

    // Enter or Space on a sort control clicks it, as on a native button. Other keys on a control
    // in a table (sort, link, pager) are the browser's: DataTable took Tab to move between cells
    // (focus was trapped on the first sort control) and Enter (a pager button did nothing).
    const IN_TABLE = '.column-header--sort[role=button], .dash-spreadsheet a, .previous-next-container *';
    document.addEventListener('keydown', function (event) {
        const target = event.target;
        if (!target.closest) { return; }
        const control = target.closest('.column-header--sort[role=button]');
        if (control && (event.key === 'Enter' || event.key === ' ')) {
            event.preventDefault();
            event.stopPropagation();
            control.click();
        } else if (target.matches(IN_TABLE)) {
            event.stopPropagation();
        }
    }, true);

    // The popover's trigger (aria-controls) is the dropdown's button (its id is the control's)
    // or the date picker's wrapper ("<id>-wrapper"); the control's <label> names the popover.
    function nameDialog(dialog) {
        const trigger = dialog.id && document.querySelector('[aria-controls="' + dialog.id + '"]');
        if (!trigger) { return; }
        const isDates = trigger.classList.contains('dash-datepicker-input-wrapper');
        const id = isDates ? trigger.id.replace(/-wrapper$/, '') : trigger.id;
        const label = id && document.querySelector('label[for="' + id + '"]');
        const text = label ? label.textContent.trim() : '';
        const fallback = isDates ? 'Choose dates' : 'Options';
        dialog.setAttribute('aria-label', text ? text + (isDates ? ': calendar' : ': options') : fallback);
    }

    function queue() {
        if (!queued) { queued = true; window.requestAnimationFrame(repair); }
    }

    function start() {
        new MutationObserver(queue).observe(document.body, {
            childList: true, subtree: true, attributes: true,
            attributeFilter: ['aria-expanded', 'aria-haspopup', 'aria-selected', 'role', 'tabindex', 'disabled', 'data-icon'],
        });
        queue();
    }

    if (document.body) { start(); } else { document.addEventListener('DOMContentLoaded', start); }
})();
