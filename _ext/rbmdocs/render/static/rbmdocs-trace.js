/* rbmdocs: the trace under every need box, drawn from the graph of the whole site.
 *
 * "Up" follows the links towards the strategic objective (lower levels of the results
 * chain), "down" towards indicators, targets, strategies, CPOs, priorities and DWCPs,
 * whichever way each link is written, exactly like `rbmdocs trace`. What holds a need (a
 * priority's DWCP) is no step either way: it is named beside the need. A need met twice
 * is shown again, marked, and not expanded.
 *
 * The graph is one file for the whole site, _static/rbmdocs-graph.js beside this script,
 * so a page never goes stale when a need elsewhere changes. No page names it: this script
 * loads it, from a web server with a request that asks whether it changed (a page that
 * named it by version would keep the version of the build that last wrote the page, and a
 * browser that had kept that version would show it), from a folder on disk as a script. */
(function () {
  "use strict";
  var LIMIT = 200; // entries per tree before "and N more"
  var GRAPH_URL = document.currentScript
    ? document.currentScript.src.replace(/rbmdocs-trace\.js(\?.*)?$/, "rbmdocs-graph.js")
    : "";

  function root() {
    var base = document.documentElement.dataset.content_root;
    return base === undefined ? "" : base;
  }

  function incomingIndex(graph) {
    var incoming = {};
    Object.keys(graph.links).forEach(function (source) {
      var links = graph.links[source];
      Object.keys(links).forEach(function (name) {
        links[name].forEach(function (target) {
          (incoming[target] = incoming[target] || []).push([name, source]);
        });
      });
    });
    return incoming;
  }

  function level(graph, id) {
    var need = graph.needs[id];
    return need ? graph.levels[need[0]] : undefined;
  }

  function neighbours(graph, incoming, id) {
    var found = [];
    var links = graph.links[id] || {};
    Object.keys(links).sort().forEach(function (name) {
      links[name].forEach(function (target) { found.push([name, target, true]); });
    });
    (incoming[id] || []).slice().sort().forEach(function (pair) {
      found.push([pair[0], pair[1], false]);
    });
    return found;
  }

  function walk(graph, incoming, rootId, way) {
    var seen = {};
    seen[rootId] = true;
    var tree = { id: rootId, children: [] };
    var stack = [tree];
    var count = 0;
    while (stack.length && count < LIMIT) {
      var current = stack.pop();
      var here = level(graph, current.id);
      if (here === undefined || current.repeated) { continue; }
      neighbours(graph, incoming, current.id).forEach(function (entry) {
        if (entry[2] && isContainerLink(graph, entry[0])) { return; }
        var other = entry[1];
        var there = level(graph, other);
        if (there === undefined || (way === "up" ? there >= here : there <= here)) { return; }
        var child = { id: other, link: entry[0], outgoing: entry[2], children: [] };
        child.repeated = Boolean(seen[other]);
        seen[other] = true;
        current.children.push(child);
        count += 1;
      });
      for (var i = current.children.length - 1; i >= 0; i -= 1) { stack.push(current.children[i]); }
    }
    tree.truncated = count >= LIMIT;
    return tree;
  }

  function isContainerLink(graph, name) {
    return (graph.containerLinks || []).indexOf(name) >= 0;
  }

  // "(Part of: DWCP_KEN Kenya)" after a need that something holds
  function containers(graph, id) {
    var note = document.createDocumentFragment();
    var links = graph.links[id] || {};
    Object.keys(links).sort().forEach(function (name) {
      if (!isContainerLink(graph, name)) { return; }
      links[name].forEach(function (holder) {
        if (!graph.needs[holder]) { return; }
        var span = document.createElement("span");
        span.className = "rbmdocs-trace-container";
        var labels = graph.linkLabels[name] || [name, name];
        span.appendChild(document.createTextNode(" (" + labels[0] + graph.text.separator));
        span.appendChild(linkTo(graph, holder));
        span.appendChild(document.createTextNode(")"));
        note.appendChild(span);
      });
    });
    return note;
  }

  function linkTo(graph, id) {
    var need = graph.needs[id];
    var anchor = document.createElement("a");
    anchor.className = "rbmdocs-trace-need";
    anchor.href = root() + need[2] + "#" + id;
    anchor.textContent = id;
    var item = document.createDocumentFragment();
    item.appendChild(anchor);
    if (need[1]) { item.appendChild(document.createTextNode(" " + need[1])); }
    return item;
  }

  function render(graph, node) {
    var list = document.createElement("ul");
    node.children.forEach(function (child) {
      var item = document.createElement("li");
      var labels = graph.linkLabels[child.link] || [child.link, child.link];
      var kind = document.createElement("span");
      kind.className = "rbmdocs-trace-link";
      kind.textContent = labels[child.outgoing ? 0 : 1] + graph.text.separator;
      item.appendChild(kind);
      var type = graph.types[graph.needs[child.id][0]] || "";
      var typeSpan = document.createElement("span");
      typeSpan.className = "rbmdocs-trace-type";
      typeSpan.textContent = type + " ";
      item.appendChild(typeSpan);
      item.appendChild(linkTo(graph, child.id));
      item.appendChild(containers(graph, child.id));
      if (child.repeated) {
        item.appendChild(document.createTextNode(graph.text.seeAbove));
      }
      if (child.children.length) { item.appendChild(render(graph, child)); }
      list.appendChild(item);
    });
    return list;
  }

  function section(graph, tree, title, way, open) {
    var block = document.createElement("details");
    block.className = "rbmdocs-trace-" + way;
    if (open) { block.open = true; }
    var summary = document.createElement("summary");
    summary.textContent = title;
    block.appendChild(summary);
    if (tree.children.length) {
      block.appendChild(render(graph, tree));
    } else {
      var none = document.createElement("p");
      none.textContent = graph.text.none;
      block.appendChild(none);
    }
    if (tree.truncated) {
      var more = document.createElement("p");
      more.textContent = "… " + graph.text.more;
      block.appendChild(more);
    }
    return block;
  }

  function draw(graph) {
    if (!graph) { return; }
    var incoming = incomingIndex(graph);
    // the trace goes into the need's traceability panel (or after a box of another kind)
    document.querySelectorAll(".rbmdocs-need[id], table.need[id]").forEach(function (view) {
      var id = view.id;
      var panel = view.querySelector(":scope > details.rbmdocs-need-panel");
      var drawn = panel ? panel.querySelector(":scope > nav.rbmdocs-trace")
        : view.nextElementSibling && view.nextElementSibling.matches(".rbmdocs-trace");
      if (!graph.needs[id] || drawn) { return; }
      var trace = document.createElement("nav");
      trace.className = "rbmdocs-trace";
      trace.setAttribute("aria-label", graph.text.trace + " " + id);
      var up = walk(graph, incoming, id, "up");
      var down = walk(graph, incoming, id, "down");
      // a way with nothing along it is left out: an objective has nothing above it
      if (up.children.length) {
        trace.appendChild(section(graph, up, graph.text.up, "up", true));
      }
      if (down.children.length) {
        trace.appendChild(section(graph, down, graph.text.down, "down", !up.children.length));
      }
      if (!trace.children.length) { return; }
      if (panel) {
        var diagram = panel.querySelector(":scope > .rbmdocs-diagram, :scope > .graphviz");
        panel.insertBefore(trace, diagram || null);
      } else {
        view.parentNode.insertBefore(trace, view.nextSibling);
      }
    });
  }

  function loadAsScript(then) {
    var tag = document.createElement("script");
    tag.src = GRAPH_URL;
    tag.onload = function () { then(window.RBMDOCS_GRAPH); };
    document.head.appendChild(tag);
  }

  function loadGraph(then) {
    if (window.RBMDOCS_GRAPH) { then(window.RBMDOCS_GRAPH); return; }
    if (!GRAPH_URL) { return; }
    if (!/^https?:$/.test(window.location.protocol) || !window.fetch) {
      loadAsScript(then);
      return;
    }
    fetch(GRAPH_URL, { cache: "no-cache" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (text) {
        // the file is "window.RBMDOCS_GRAPH = {...};": its JSON is between the outer braces
        then(JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1)));
      })
      .catch(function () { loadAsScript(then); });
  }

  function start() {
    loadGraph(function (graph) {
      draw(graph);
      // the lists arrive after the browser went to the page's #need, and push it down
      var id = decodeURIComponent(window.location.hash.slice(1));
      var target = id && document.getElementById(id);
      if (target) { target.scrollIntoView(); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
