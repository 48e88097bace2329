/* KIKI Analytics: keep the URL in step with a page's filters so a link reproduces the view. */
window.kikiSyncUrl = function (params) {
    const query = new URLSearchParams();
    Object.keys(params).forEach(function (key) {
        const value = params[key];
        if (value !== null && value !== undefined && value !== '') { query.set(key, value); }
    });
    const search = query.toString() ? '?' + query.toString() : '';
    if (search === window.location.search) { return window.dash_clientside.no_update; }
    const url = window.location.pathname + search;
    // The first sync of a page only fills in its defaults: no new history entry for that.
    if (!window.location.search) { window.history.replaceState(null, '', url); }
    else { window.history.pushState(null, '', url); }
    return search;
};
