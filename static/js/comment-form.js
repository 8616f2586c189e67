// Reply links move the comment form under the comment being answered, as on WordPress.
// Without JavaScript each Reply link loads the post with the form set up for that reply.

const respond = document.getElementById("respond");
const form = respond?.querySelector("form");
const parentInput = form?.querySelector('input[name="parent"]');

if (respond && form && parentInput) {
  const title = respond.querySelector("#reply-title");
  const cancel = respond.querySelector(".comment-respond__cancel");
  const baseTitle = title.dataset.title;
  // Where the form lives when it answers the post itself.
  const home = document.createElement("div");
  home.hidden = true;
  respond.before(home);

  const commentBody = (id) => document.getElementById(`div-comment-${id}`);

  const replyTo = (id, author) => {
    const comment = commentBody(id);
    if (!comment) return false;
    comment.after(respond);
    parentInput.value = id;
    title.textContent = `${baseTitle} to ${author}`;
    cancel.hidden = false;
    return true;
  };

  const cancelReply = () => {
    home.after(respond);
    parentInput.value = "";
    title.textContent = baseTitle;
    cancel.hidden = true;
  };

  document.addEventListener("click", (event) => {
    const reply = event.target.closest(".comment-reply-link");
    if (reply && replyTo(reply.dataset.commentId, reply.dataset.author)) {
      event.preventDefault();
      form.querySelector("textarea").focus();
      return;
    }
    if (event.target.closest("#cancel-comment-reply-link")) {
      event.preventDefault();
      cancelReply();
      form.querySelector("textarea").focus();
    }
  });

  // The page came back with a reply under way (a Reply link followed without JavaScript, or a
  // refused reply): show the form under its comment, keeping the message at hand.
  if (parentInput.value && commentBody(parentInput.value)) {
    commentBody(parentInput.value).after(respond);
    if (window.location.hash === "#respond") respond.scrollIntoView();
  }
}
